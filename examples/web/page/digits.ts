// The embedded digits the web build writes to digits.bin: the first
// DIGITS_PER_CLASS MNIST digits of each class, one byte per pixel.
export const DIGITS_PER_CLASS = 200;
export const DIGIT_SIDE = 28;
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;
