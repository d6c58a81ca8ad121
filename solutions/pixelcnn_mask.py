"""Reference for pixelcnn_mask: the masks of PixelCNN's masked convolutions (one channel group).

van den Oord, Kalchbrenner & Kavukcuoglu (2016), "Pixel Recurrent Neural Networks", sec. 3.4
(mask A for the first layer, which may not see the current pixel; mask B for later layers, which
may), and van den Oord et al. (2016), "Conditional Image Generation with PixelCNN Decoders".
Pixels are generated in raster order (row by row, left to right): the kernel centre may see every
row above it and the pixels to its left in its own row.
"""

import torch


def pixelcnn_mask(k, mask_type):
    centre = k // 2
    mask = torch.ones(k, k, dtype=torch.float64)
    # Centre row: the centre itself (type A only) and everything to its right come later.
    mask[centre, centre + (1 if mask_type == "B" else 0):] = 0.0
    mask[centre + 1:, :] = 0.0  # rows below the centre come later
    return mask
