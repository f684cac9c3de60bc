"""Hashes of re-encoded reference photos: TOMAS against Meta's C++ PDQ core.

Re-encodes two reference photos (bridge-1, pen-and-coaster) with Pillow into many variants
(JPEG 4:2:0 / 4:2:2 / 4:4:4, progressive, greyscale, CMYK; PNG RGBA / palette / grey; WebP, TIFF,
BMP, GIF) in a temporary directory, hashes them with `tomas hash` (Y-channel and --jpeg-rgb JPEG
decoding) and with `pdqhash.compute` (the C++ core) on Pillow's pixels converted to RGB, which is
what the reference tools hash, and prints the Hamming distance and quality difference per file.
A last column shows what HMA's hasher gets by passing Pillow's array as it is (palette indices,
CMYK channels); see docs/hashing.md.

usage: python variants.py PATH/TO/tomas IMAGES_DIR      (bash benches/hashing/variants.sh)
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image


def pdq(array: np.ndarray) -> tuple[int, int]:
    bits, quality = pdqhash.compute(np.ascontiguousarray(array))
    return int("".join(str(b) for b in bits), 2), int(quality)


def reference(path: Path) -> tuple[int, int]:
    """The pixels as RGB (palette expanded, CMYK converted, alpha dropped), grey kept grey."""
    image = Image.open(path)
    if image.mode in ("L", "LA"):
        grey = np.asarray(image.convert("L"))
        return pdq(np.stack([grey] * 3, axis=2))
    return pdq(np.asarray(image.convert("RGB")))


def hma(path: Path) -> tuple[int, int]:
    """python-threatexchange's pdq_hasher: the array as Pillow gives it."""
    image = Image.open(path)
    if image.mode == "LA":
        image = image.convert("RGB")
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.concatenate([array[..., np.newaxis]] * 3, axis=2)
    return pdq(array[..., :3] if array.shape[2] > 3 else array)


def tomas(binary: str, directory: Path, *flags: str) -> dict[str, tuple[int, int]]:
    out = subprocess.run(
        [binary, "hash", "--no-progress", *flags, str(directory)],
        check=True, capture_output=True, text=True,
    ).stdout
    result = {}
    for line in out.splitlines():
        hash_hex, quality, path = line.split(",", 2)
        result[Path(path).name] = (int(hash_hex, 16), int(quality))
    return result


def main() -> None:
    binary, images = sys.argv[1], Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, source in [("bridge", "bridge-1-original.jpg"), ("pen", "pen-and-coaster.png")]:
            img = Image.open(images / source).convert("RGB")
            img.save(out / f"{name}-420.jpg", quality=90, subsampling=2)
            img.save(out / f"{name}-422.jpg", quality=90, subsampling=1)
            img.save(out / f"{name}-444.jpg", quality=90, subsampling=0)
            img.save(out / f"{name}-prog-q50.jpg", quality=50, progressive=True)
            img.save(out / f"{name}-prog-444-q95.jpg", quality=95, progressive=True, subsampling=0)
            img.convert("L").save(out / f"{name}-grey.jpg", quality=90)
            img.convert("L").save(out / f"{name}-grey-prog.jpg", quality=90, progressive=True)
            img.convert("CMYK").save(out / f"{name}-cmyk.jpg", quality=90)
            rgba = img.copy()
            rgba.putalpha(Image.linear_gradient("L").resize(img.size))
            rgba.save(out / f"{name}-rgba.png")
            img.convert("P", palette=Image.ADAPTIVE).save(out / f"{name}-palette.png")
            img.convert("L").save(out / f"{name}-grey.png")
            img.save(out / f"{name}.webp", lossless=True)
            img.save(out / f"{name}.tiff")
            img.save(out / f"{name}.bmp")
            img.save(out / f"{name}.gif")
        y, rgb = tomas(binary, out), tomas(binary, out, "--jpeg-rgb")
        print(f"{'file':24} {'Y: dist dq':>12} {'RGB: dist dq':>14} {'HMA as-is: dist':>16}")
        worst = 0
        for path in sorted(out.iterdir()):
            ref_hash, ref_q = reference(path)
            hma_hash, _ = hma(path)
            cells = []
            for ours in (y, rgb):
                h, q = ours[path.name]
                d = bin(h ^ ref_hash).count("1")
                worst = max(worst, d)
                cells.append(f"{d:4} {q - ref_q:+3}")
            print(f"{path.name:24} {cells[0]:>12} {cells[1]:>14} {bin(hma_hash ^ ref_hash).count('1'):>16}")
        print(f"worst TOMAS distance to the C++ core on RGB pixels: {worst}")


if __name__ == "__main__":
    main()
