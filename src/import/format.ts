// The parts of the tfjs-layers `model.json` format the importer reads
// (written by tfjs `model.save` and by the TensorFlow.js converter from Keras).

/** One serialized layer: `class_name` + `config`, plus graph wiring in Functional models. */
export interface LayerJson {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  /** Functional models: per call, a list of [layerName, nodeIndex, tensorIndex, kwargs?]. */
  inbound_nodes?: unknown[];
}

export interface TopologyJson {
  class_name: string;
  config: {
    name?: string;
    layers: LayerJson[];
    input_layers?: unknown[];
    output_layers?: unknown[];
  } | LayerJson[];
}

export interface WeightEntryJson {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface WeightGroupJson {
  paths: string[];
  weights: WeightEntryJson[];
}

export interface ModelJson {
  format?: string;
  modelTopology: TopologyJson | { model_config: TopologyJson };
  weightsManifest: WeightGroupJson[];
}
