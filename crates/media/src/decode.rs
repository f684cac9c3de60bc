//! Decoding image bytes into pixels for hashing, with limits against decompression bombs.
//!
//! JPEG is decoded by `zune-jpeg`; PNG, WebP, GIF (first frame), BMP and TIFF by the `image` crate.
//! The format is recognised from the file's first bytes, not its name.
//!
//! What the hash sees, as in Meta's reference (`pdq/cpp/io/pdqio.cpp`):
//! - greyscale images stay one channel and their values are the luma;
//! - palette images are expanded to RGB; CMYK/YCCK JPEGs are converted to RGB by the decoder;
//! - alpha is ignored (no compositing against a background);
//! - 16-bit and float samples are reduced to 8 bits by the `image` crate's conversion;
//! - EXIF orientation is **not** applied: the reference hashes the pixels as stored.
//!
//! JPEGs in YCbCr (nearly all photos) are by default decoded to their Y channel only
//! ([`JpegLuma::YChannel`]): Y is the JFIF luma `0.299·R + 0.587·G + 0.114·B` of the decoded RGB
//! up to rounding, and skipping the chroma's inverse DCT, upsampling and colour conversion
//! roughly halves the decoding time. [`JpegLuma::Rgb`] decodes RGB and applies PDQ's luma formula
//! instead, like the reference tools do. Both stay within the JPEG compatibility contract; the
//! measured differences are in `docs/hashing.md`.
//!
//! Truncated or corrupt files are errors (the JPEG decoder runs in strict mode). A panic inside a
//! decoder on hostile input is caught and reported as [`DecodeError::Corrupt`] as well.

use std::{fmt, io::Cursor, panic};

use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
use zune_jpeg::JpegDecoder;

use crate::pdq::{PixelData, Pixels};

/// Bounds on what a decoder may be asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Largest accepted image, in pixels (width × height).
    pub max_pixels: u64,
}

impl Limits {
    /// 256 MiB of input and 100 megapixels of image (about 300 MB of decoded RGB).
    pub const DEFAULT: Limits = Limits { max_bytes: 256 << 20, max_pixels: 100_000_000 };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// How to get luma from a YCbCr JPEG.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JpegLuma {
    /// Decode only the Y channel and use it as the luma (fast; the default).
    #[default]
    YChannel,
    /// Decode to RGB and apply PDQ's luma formula, like the reference tools.
    Rgb,
}

/// Options for [`decode`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    pub limits: Limits,
    pub jpeg_luma: JpegLuma,
}

/// The image formats [`decode`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
    Tiff,
}

impl Format {
    /// Recognises a format from the first bytes of a file.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        if starts(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(Format::Gif)
        } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else if starts(b"BM") {
            Some(Format::Bmp)
        } else if starts(b"II*\0") || starts(b"MM\0*") {
            Some(Format::Tiff)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
            Format::Bmp => "BMP",
            Format::Tiff => "TIFF",
        }
    }

    fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Webp => image::ImageFormat::WebP,
            Format::Gif => image::ImageFormat::Gif,
            Format::Bmp => image::ImageFormat::Bmp,
            Format::Tiff => image::ImageFormat::Tiff,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why bytes could not be turned into pixels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("file is {size} bytes, over the limit of {limit} bytes")]
    TooManyBytes { size: u64, limit: u64 },
    #[error(
        "image is {width}×{height} = {pixels} pixels, over the limit of {limit} pixels \
         (a decompression bomb, or raise the limit)"
    )]
    TooManyPixels { width: u64, height: u64, pixels: u64, limit: u64 },
    #[error("not a JPEG, PNG, WebP, GIF, BMP or TIFF file (unrecognised first bytes)")]
    UnknownFormat,
    #[error("corrupt or truncated {format}: {message}")]
    Corrupt { format: Format, message: String },
    #[error("unsupported {format}: {message}")]
    Unsupported { format: Format, message: String },
    #[error("{format} needs more memory to decode than the limits allow: {message}")]
    OverMemoryLimit { format: Format, message: String },
}

/// Decoded pixels: row-major, tightly packed, 8 bits per sample.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub format: Format,
    pub layout: Layout,
    pub data: Vec<u8>,
}

/// The channels of an [`Image`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One channel: grey, or a JPEG's Y channel.
    Grey,
    Rgb,
    /// RGB with alpha (ignored by the hash).
    Rgba,
}

impl Image {
    /// The pixels, for [`crate::pdq::pdq`].
    pub fn pixels(&self) -> Pixels<'_> {
        let data = match self.layout {
            Layout::Grey => PixelData::Grey(&self.data),
            Layout::Rgb => PixelData::Rgb(&self.data),
            Layout::Rgba => PixelData::Rgba(&self.data),
        };
        Pixels { width: self.width, height: self.height, data }
    }
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("format", &self.format)
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

/// Decodes image bytes within `options.limits`.
pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<Image, DecodeError> {
    let mut data = Vec::new();
    let info = decode_into(bytes, options, &mut data)?;
    Ok(Image { width: info.width, height: info.height, format: info.format, layout: info.layout, data })
}

/// What [`decode_into`] put in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    pub width: usize,
    pub height: usize,
    pub format: Format,
    pub layout: Layout,
}

impl ImageInfo {
    /// The pixels in `data`, as [`decode_into`] left them.
    pub fn pixels<'a>(&self, data: &'a [u8]) -> Pixels<'a> {
        let data = &data[..self.width * self.height * self.layout.channels()];
        let data = match self.layout {
            Layout::Grey => PixelData::Grey(data),
            Layout::Rgb => PixelData::Rgb(data),
            Layout::Rgba => PixelData::Rgba(data),
        };
        Pixels { width: self.width, height: self.height, data }
    }
}

/// Like [`decode`], but into `buf`, whose allocation is reused when it is large enough: hashing
/// many files with one buffer saves the page faults of a fresh multi-megabyte allocation per file.
pub fn decode_into(bytes: &[u8], options: &DecodeOptions, buf: &mut Vec<u8>) -> Result<ImageInfo, DecodeError> {
    decode_with(bytes, options, buf, &mut Vec::new())
}

/// [`decode_into`] with a second reusable buffer, for a filtered copy of a progressive JPEG.
pub(crate) fn decode_with(
    bytes: &[u8],
    options: &DecodeOptions,
    buf: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) -> Result<ImageInfo, DecodeError> {
    let limits = options.limits;
    let size = bytes.len() as u64;
    if size > limits.max_bytes {
        return Err(DecodeError::TooManyBytes { size, limit: limits.max_bytes });
    }
    let format = Format::sniff(bytes).ok_or(DecodeError::UnknownFormat)?;
    let result = panic::catch_unwind(panic::AssertUnwindSafe(|| match format {
        Format::Jpeg => decode_jpeg(bytes, options, &mut *buf, &mut *scratch),
        _ => decode_other(bytes, format, &limits, &mut *buf),
    }));
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder panicked".to_string());
        Err(DecodeError::Corrupt { format, message: format!("decoder failure: {message}") })
    })
}

impl Layout {
    fn channels(self) -> usize {
        match self {
            Layout::Grey => 1,
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }
}

fn check_pixels(width: u64, height: u64, limits: &Limits) -> Result<(), DecodeError> {
    let pixels = width.saturating_mul(height);
    if pixels > limits.max_pixels {
        return Err(DecodeError::TooManyPixels { width, height, pixels, limit: limits.max_pixels });
    }
    Ok(())
}

fn decode_jpeg(
    bytes: &[u8],
    options: &DecodeOptions,
    buf: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) -> Result<ImageInfo, DecodeError> {
    let corrupt =
        |e: zune_jpeg::errors::DecodeErrors| DecodeError::Corrupt { format: Format::Jpeg, message: e.to_string() };
    // JPEG dimensions are at most 65535, so the pixel limit is what bounds the work.
    let base = DecoderOptions::default().set_strict_mode(true).set_max_width(1 << 16).set_max_height(1 << 16);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), base);
    decoder.decode_headers().map_err(corrupt)?;
    let info = decoder
        .info()
        .ok_or_else(|| DecodeError::Corrupt { format: Format::Jpeg, message: "no frame header".to_string() })?;
    let (width, height) = (usize::from(info.width), usize::from(info.height));
    check_pixels(width as u64, height as u64, &options.limits)?;
    let input = decoder.input_colorspace().unwrap_or(ColorSpace::YCbCr);
    let (out, layout) = match (input, options.jpeg_luma) {
        (ColorSpace::Luma, _) | (ColorSpace::YCbCr, JpegLuma::YChannel) => (ColorSpace::Luma, Layout::Grey),
        _ => (ColorSpace::RGB, Layout::Rgb),
    };
    if out == ColorSpace::Luma && input == ColorSpace::YCbCr && drop_chroma_scans(bytes, scratch) {
        // The same image without the scans that only carry chroma (see `drop_chroma_scans`).
        decoder = JpegDecoder::new_with_options(ZCursor::new(&scratch[..]), base);
        decoder.decode_headers().map_err(corrupt)?;
    }
    decoder.set_options(base.jpeg_set_out_colorspace(out));
    let size = width * height * layout.channels();
    if decoder.output_buffer_size() != Some(size) {
        return Err(DecodeError::Corrupt {
            format: Format::Jpeg,
            message: format!("decoder wants {:?} bytes for {width}×{height}", decoder.output_buffer_size()),
        });
    }
    // Reuse the allocation; the decoder overwrites every byte.
    if buf.len() < size {
        buf.resize(size, 0);
    } else {
        buf.truncate(size);
    }
    decoder.decode_into(buf).map_err(corrupt)?;
    Ok(ImageInfo { width, height, format: Format::Jpeg, layout })
}

fn decode_other(bytes: &[u8], format: Format, limits: &Limits, buf: &mut Vec<u8>) -> Result<ImageInfo, DecodeError> {
    let error = |e| image_error(format, e);
    let mut image_limits = image::Limits::default();
    // Decoded RGBA plus the decoder's own working memory.
    image_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    let decoded = if format == Format::Png {
        decode_png(bytes, limits, image_limits)?
    } else {
        let reader = || {
            let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format.image_format());
            reader.limits(image_limits.clone());
            reader
        };
        let (w, h) = reader().into_dimensions().map_err(error)?;
        check_pixels(u64::from(w), u64::from(h), limits)?;
        if format == Format::Gif {
            check_gif_frame(bytes, limits)?;
        }
        reader().decode().map_err(error)?
    };
    let (width, height) = (decoded.width() as usize, decoded.height() as usize);
    check_pixels(width as u64, height as u64, limits)?;
    use image::DynamicImage as D;
    let (layout, data) = match decoded {
        D::ImageLuma8(b) => (Layout::Grey, b.into_raw()),
        D::ImageRgb8(b) => (Layout::Rgb, b.into_raw()),
        D::ImageRgba8(b) => (Layout::Rgba, b.into_raw()),
        D::ImageLumaA8(_) | D::ImageLuma16(_) | D::ImageLumaA16(_) => (Layout::Grey, decoded.to_luma8().into_raw()),
        other => (Layout::Rgb, other.to_rgb8().into_raw()),
    };
    *buf = data;
    Ok(ImageInfo { width, height, format, layout })
}

/// Memory the PNG decoder may spend on everything but the pixels: the ancillary chunks it keeps
/// (a compressed iCCP profile is inflated whole, text and eXIf chunks are copied) and one row of
/// output. Hashing uses none of the metadata; real profiles and text are well under a megabyte.
pub const PNG_METADATA_BYTES: u64 = 16 << 20;

/// Decodes a PNG with the pixels bounded by `image_limits` and the rest by
/// [`PNG_METADATA_BYTES`]. Through `ImageReader` the `png` crate gets the pixel budget for its
/// metadata too, so a 1 MB file with an iCCP chunk of zeros made it inflate ~800 MB of profile
/// nobody reads. An iCCP profile over the budget is dropped by `png` (decoding goes on); text
/// or eXIf chunks over it are a limit error.
fn decode_png(bytes: &[u8], limits: &Limits, image_limits: image::Limits) -> Result<image::DynamicImage, DecodeError> {
    use image::ImageDecoder;
    let error = |e| image_error(Format::Png, e);
    // IHDR comes first: the row the budget must also hold is at most 8 bytes per pixel.
    let width = bytes.get(16..20).map_or(0, |w| u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]])));
    let mut png_limits = image::Limits::default();
    png_limits.max_alloc = Some(
        PNG_METADATA_BYTES
            .saturating_add(width.saturating_mul(8).saturating_add(1))
            .min(image_limits.max_alloc.unwrap_or(u64::MAX)),
    );
    let mut decoder = image::codecs::png::PngDecoder::with_limits(Cursor::new(bytes), png_limits).map_err(error)?;
    let (w, h) = decoder.dimensions();
    check_pixels(u64::from(w), u64::from(h), limits)?;
    // As `ImageReader::decode` does: the output buffer counts against the limits. `png`'s own
    // budget was fixed above; this one is `image`'s.
    let mut image_limits = image_limits;
    image_limits.reserve(decoder.total_bytes()).map_err(error)?;
    decoder.set_limits(image_limits).map_err(error)?;
    image::DynamicImage::from_decoder(decoder).map_err(error)
}

fn image_error(format: Format, e: image::ImageError) -> DecodeError {
    match e {
        image::ImageError::Unsupported(u) => DecodeError::Unsupported { format, message: u.to_string() },
        image::ImageError::Limits(l) => DecodeError::OverMemoryLimit { format, message: l.to_string() },
        other => DecodeError::Corrupt { format, message: other.to_string() },
    }
}

/// `image` holds a GIF's logical screen to the limits, but decodes its first frame at the size the
/// frame's own descriptor gives, up to 65535×65535 whatever the screen says (found by
/// `tests/fuzz.rs`). A file the `gif` crate cannot read this far is left to the decoder's error.
fn check_gif_frame(bytes: &[u8], limits: &Limits) -> Result<(), DecodeError> {
    let frame = gif::DecodeOptions::new()
        .read_info(Cursor::new(bytes))
        .ok()
        .and_then(|mut d| d.next_frame_info().ok().flatten().map(|f| (f.width, f.height)));
    frame.map_or(Ok(()), |(w, h)| check_pixels(u64::from(w), u64::from(h), limits))
}

/// For a progressive JPEG, copies `bytes` into `out` without the scans that carry no luma, and
/// returns true; returns false (leaving `out` unspecified) for anything else.
///
/// A progressive JPEG sends AC coefficients one component per scan, and each scan is a separate
/// entropy-coded segment ending at the next marker. When only the Y channel is wanted, the Cb and
/// Cr AC scans can be dropped whole instead of being Huffman-decoded and thrown away: the Y
/// coefficients, and so the Y pixels, are exactly the same. Interleaved scans (the DC scans) are
/// kept. Any structure this does not understand leaves the file to the decoder as it is.
fn drop_chroma_scans(bytes: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut luma_id = None;
    let mut progressive = false;
    let mut dropped = false;
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    out.extend_from_slice(&bytes[..2]);
    let mut pos = 2;
    loop {
        // A marker: 0xFF, optional 0xFF fill bytes, the code.
        if bytes.get(pos) != Some(&0xFF) {
            return false;
        }
        let mut p = pos + 1;
        while bytes.get(p) == Some(&0xFF) {
            p += 1;
        }
        let Some(&code) = bytes.get(p) else {
            return false;
        };
        if code == 0xD9 {
            out.extend_from_slice(&[0xFF, 0xD9]);
            return progressive && dropped;
        }
        let Some(len) = bytes.get(p + 1..p + 3).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]]))) else {
            return false;
        };
        let end = p + 1 + len;
        if len < 2 || end > bytes.len() {
            return false;
        }
        let segment = &bytes[p + 1..end]; // length bytes onwards
        match code {
            // SOF0/SOF1 (sequential): nothing to gain, leave the file alone.
            0xC0 | 0xC1 => return false,
            // SOF2 (progressive, Huffman): the first component is Y.
            0xC2 => {
                progressive = true;
                luma_id = segment.get(8).copied();
            }
            // Other frame types (lossless, arithmetic, hierarchical): leave alone.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return false,
            _ => {}
        }
        if code != 0xDA {
            out.extend_from_slice(&[0xFF, code]);
            out.extend_from_slice(segment);
            pos = end;
            continue;
        }
        // SOS: the scan's components, then entropy-coded data up to the next marker other than
        // a stuffed 0xFF00 or a restart marker.
        let Some(&ns) = segment.get(2) else {
            return false;
        };
        let ids: Vec<u8> = (0..usize::from(ns)).filter_map(|i| segment.get(3 + 2 * i).copied()).collect();
        let mut data_end = end;
        loop {
            let Some(off) = find_ff(&bytes[data_end..]) else {
                return false;
            };
            let next = bytes.get(data_end + off + 1).copied();
            match next {
                Some(0x00) | Some(0xD0..=0xD7) | Some(0xFF) => data_end += off + 1,
                Some(_) => {
                    data_end += off;
                    break;
                }
                None => return false,
            }
        }
        let Some(luma) = luma_id else { return false };
        if ids.len() == 1 && ids[0] != luma {
            dropped = true;
        } else {
            out.extend_from_slice(&[0xFF, 0xDA]);
            out.extend_from_slice(&bytes[end - segment.len()..data_end]);
        }
        pos = data_end;
    }
}

/// Position of the first 0xFF byte, eight bytes at a time.
fn find_ff(bytes: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // A zero byte of `!w` is a 0xFF byte of `w` (the classic "has zero byte" test).
        let inverted = !u64::from_le_bytes(word);
        if inverted.wrapping_sub(LOW) & !inverted & HIGH != 0 {
            return chunk.iter().position(|&b| b == 0xFF).map(|i| base + i);
        }
        base += 8;
    }
    chunks.remainder().iter().position(|&b| b == 0xFF).map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_ff_finds_the_first_0xff_anywhere() {
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes = vec![0xFEu8; len];
                if at < len {
                    bytes[at] = 0xFF;
                    if at + 3 < len {
                        bytes[at + 3] = 0xFF;
                    }
                }
                let expected = (at < len).then_some(at);
                assert_eq!(find_ff(&bytes), expected, "len {len}, at {at}");
            }
        }
    }

    #[test]
    fn sniffs_formats() {
        assert_eq!(Format::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(Format::sniff(b"GIF87a"), Some(Format::Gif));
        assert_eq!(Format::sniff(b""), None);
    }
}
