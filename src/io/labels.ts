// The class names of an exported classifier, one per line in a text file
// beside the model (`model.tflite` → `model.labels.txt`, the associated
// labels file TFLite's image classifiers read), so `qat run` can name them.
import { existsSync, readFileSync } from 'node:fs';
import { writeUserFile } from './files.js';

export function labelsPathFor(modelPath: string): string {
  return modelPath.replace(/(\.tflite)?$/i, '.labels.txt');
}

export function writeLabels(modelPath: string, classNames: readonly string[]): string {
  const path = labelsPathFor(modelPath);
  writeUserFile(path, `${classNames.join('\n')}\n`);
  return path;
}

/** The names beside `modelPath`, or null when there is no labels file. */
export function readLabels(modelPath: string): string[] | null {
  const path = labelsPathFor(modelPath);
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
