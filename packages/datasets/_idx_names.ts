// The four file names of an MNIST-style dataset in IDX format, in the order train images, train
// labels, test images, test labels (LeCun's names; torchvision's raw folder uses them too).
export const IDX_FILES: readonly string[] = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];
