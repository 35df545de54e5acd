//! Reading and making pictures: the header (format, size, orientation) with limits, decoding
//! with limits, turning by the EXIF orientation, CMYK JPEGs as RGB, scaling down, and encoding
//! WebP (libwebp, lossy), JPEG and PNG (the `image` crate).

use super::{Format, ImageInfo, ImageProblem, Variant};
use crate::config::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// The limits every picture is read with: no side over [`MAX_IMAGE_SIDE`], and no more memory
/// than a picture of [`MAX_IMAGE_PIXELS`] takes with an alpha channel at 16 bits.
pub fn decode_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 8);
    limits
}

/// A reader of a picture in memory.
type Reader<'a> = ImageReader<Cursor<&'a [u8]>>;

fn reader(bytes: &[u8]) -> Result<(Reader<'_>, Format), ImageProblem> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageProblem::Unreadable(e.to_string()))?;
    let format = reader.format().and_then(Format::of).ok_or_else(|| {
        ImageProblem::Unreadable("its bytes are not a JPEG, PNG, WebP or GIF picture".into())
    })?;
    reader.limits(decode_limits());
    Ok((reader, format))
}

fn problem(e: image::ImageError) -> ImageProblem {
    match e {
        image::ImageError::Limits(_) => ImageProblem::TooLarge(None),
        e => ImageProblem::Unreadable(e.to_string()),
    }
}

fn too_large(width: u32, height: u32) -> bool {
    width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
}

fn turns_sideways(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Opens a picture for decoding: its decoder (the header read), format and EXIF orientation.
/// A picture over the limits is refused here, by its header alone.
fn open(bytes: &[u8]) -> Result<(impl ImageDecoder + '_, Format, Orientation), ImageProblem> {
    let (reader, format) = reader(bytes)?;
    let mut decoder = reader.into_decoder().map_err(problem)?;
    let (width, height) = decoder.dimensions();
    if too_large(width, height) {
        return Err(ImageProblem::TooLarge(Some((width, height))));
    }
    if width == 0 || height == 0 {
        return Err(ImageProblem::Unreadable("it has no pixels".into()));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Ok((decoder, format, orientation))
}

/// Reads a picture's header: its format, size as shown and whether it has an alpha channel.
/// Nothing is decoded.
pub(super) fn inspect(bytes: &[u8]) -> Result<ImageInfo, ImageProblem> {
    let (decoder, format, orientation) = open(bytes)?;
    let (width, height) = decoder.dimensions();
    let (width, height) = match turns_sideways(orientation) {
        true => (height, width),
        false => (width, height),
    };
    Ok(ImageInfo {
        format,
        width,
        height,
        alpha: decoder.color_type().has_alpha(),
    })
}

/// Decodes a picture (the first frame of an animation) and turns it as its EXIF orientation
/// says; CMYK JPEGs come out as RGB.
pub(super) fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageProblem> {
    let (decoder, _, orientation) = open(bytes)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(problem)?;
    image.apply_orientation(orientation);
    // 16-bit and float pictures are published at 8 bits, as browsers show them.
    Ok(match image.color().has_alpha() {
        true => DynamicImage::ImageRgba8(image.into_rgba8()),
        false => DynamicImage::ImageRgb8(image.into_rgb8()),
    })
}

/// Makes one variant of a decoded picture.
pub(super) fn make(
    image: &DynamicImage,
    variant: &Variant,
    quality: u8,
) -> Result<Vec<u8>, String> {
    let scaled;
    let image = if (image.width(), image.height()) == (variant.width, variant.height) {
        image
    } else {
        scaled = scale(image, variant.width, variant.height)?;
        &scaled
    };
    let mut out = Vec::new();
    match variant.format {
        Format::Webp => {
            let encoder = match image {
                DynamicImage::ImageRgba8(rgba) => {
                    webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height())
                }
                DynamicImage::ImageRgb8(rgb) => {
                    webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
                }
                _ => return Err("the picture is neither RGB nor RGBA after decoding".into()),
            };
            let encoded = encoder
                .encode_simple(false, f32::from(quality))
                .map_err(|e| format!("WebP: {e:?}"))?;
            out.extend_from_slice(&encoded);
        }
        Format::Jpeg => {
            let rgb = image.to_rgb8();
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            encoder.encode_image(&rgb).map_err(|e| e.to_string())?;
        }
        Format::Png | Format::Gif => {
            image
                .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

/// Scales an RGB or RGBA picture to `width` × `height` with Lanczos3. fast_image_resize does it
/// 14 times faster than `image`'s own on a 3-megapixel picture (BENCHMARKS.md); alpha is
/// premultiplied while scaling, so transparent pixels do not bleed their colour.
fn scale(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, String> {
    use fast_image_resize as fir;
    let (pixels, layout) = match image {
        DynamicImage::ImageRgb8(rgb) => (rgb.as_raw(), fir::PixelType::U8x3),
        DynamicImage::ImageRgba8(rgba) => (rgba.as_raw(), fir::PixelType::U8x4),
        _ => return Err("the picture is neither RGB nor RGBA after decoding".into()),
    };
    let from = fir::images::ImageRef::new(image.width(), image.height(), pixels, layout)
        .map_err(|e| e.to_string())?;
    let mut to = fir::images::Image::new(width, height, layout);
    let lanczos = fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3);
    fir::Resizer::new()
        .resize(
            &from,
            &mut to,
            &fir::ResizeOptions::new().resize_alg(lanczos),
        )
        .map_err(|e| e.to_string())?;
    let buffer = to.into_vec();
    let scaled = match layout {
        fir::PixelType::U8x3 => {
            image::RgbImage::from_raw(width, height, buffer).map(DynamicImage::ImageRgb8)
        }
        _ => image::RgbaImage::from_raw(width, height, buffer).map(DynamicImage::ImageRgba8),
    };
    scaled.ok_or_else(|| "the scaled picture has the wrong size".into())
}
