//! Colour-blind-safe colours.
//!
//! Categorical: Okabe & Ito, "Color Universal Design" (2008), the eight
//! colours that stay distinct under the common colour-vision deficiencies.
//! Sequential and diverging: Cynthia Brewer's ColorBrewer schemes YlGnBu and
//! RdBu (9 and 11 classes), both marked colour-blind safe by ColorBrewer 2.0.

/// Okabe–Ito black, kept for observed values.
pub const BLACK: &str = "#000000";
/// Okabe–Ito orange.
pub const ORANGE: &str = "#e69f00";
/// Okabe–Ito sky blue.
pub const SKY_BLUE: &str = "#56b4e9";
/// Okabe–Ito bluish green.
pub const BLUISH_GREEN: &str = "#009e73";
/// Okabe–Ito yellow.
pub const YELLOW: &str = "#f0e442";
/// Okabe–Ito blue.
pub const BLUE: &str = "#0072b2";
/// Okabe–Ito vermillion.
pub const VERMILLION: &str = "#d55e00";
/// Okabe–Ito reddish purple.
pub const REDDISH_PURPLE: &str = "#cc79a7";

/// The order series take their colours in: strong colours first, yellow
/// (weak on white) last; black is left for observations.
pub const SERIES: [&str; 7] = [
    BLUE,
    ORANGE,
    BLUISH_GREEN,
    VERMILLION,
    REDDISH_PURPLE,
    SKY_BLUE,
    YELLOW,
];

/// The colour of series `i` (cycling after seven).
pub fn series(i: usize) -> &'static str {
    SERIES[i % SERIES.len()]
}

/// Text and axis grey (dark enough for WCAG AA on white).
pub const INK: &str = "#222222";
/// Secondary text and tick grey.
pub const MUTED: &str = "#555555";
/// Grid lines.
pub const GRID: &str = "#e4e4e4";

/// ColorBrewer YlGnBu, 9 classes, light to dark.
const YLGNBU: [[u8; 3]; 9] = [
    [0xff, 0xff, 0xd9],
    [0xed, 0xf8, 0xb1],
    [0xc7, 0xe9, 0xb4],
    [0x7f, 0xcd, 0xbb],
    [0x41, 0xb6, 0xc4],
    [0x1d, 0x91, 0xc0],
    [0x22, 0x5e, 0xa8],
    [0x25, 0x34, 0x94],
    [0x08, 0x1d, 0x58],
];

/// ColorBrewer RdBu, 11 classes, red (low) through white to blue (high).
const RDBU: [[u8; 3]; 11] = [
    [0x67, 0x00, 0x1f],
    [0xb2, 0x18, 0x2b],
    [0xd6, 0x60, 0x4d],
    [0xf4, 0xa5, 0x82],
    [0xfd, 0xdb, 0xc7],
    [0xf7, 0xf7, 0xf7],
    [0xd1, 0xe5, 0xf0],
    [0x92, 0xc5, 0xde],
    [0x43, 0x93, 0xc3],
    [0x21, 0x66, 0xac],
    [0x05, 0x30, 0x61],
];

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        fn lin(c: u8) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                crate::output::html::mathf::powf((c + 0.055) / 1.055, 2.4)
            }
        }
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// Black or white, whichever contrasts more with this background.
    pub fn text_colour(self) -> &'static str {
        // Contrast with black (L + 0.05)/0.05 against white 1.05/(L + 0.05):
        // equal at L = 0.179.
        if self.luminance() > 0.179 {
            "#000000"
        } else {
            "#ffffff"
        }
    }
}

/// Piecewise-linear interpolation through `stops` at `t` in 0..=1 (clamped;
/// NaN gives the first stop).
fn ramp(stops: &[[u8; 3]], t: f64) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let pos = t * (stops.len() - 1) as f64;
    let i = (pos.floor() as usize).min(stops.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    Rgb(mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2]))
}

/// Sequential colour for `t` in 0..=1 (light to dark).
pub fn sequential(t: f64) -> Rgb {
    ramp(&YLGNBU, t)
}

/// Diverging colour for `t` in −1..=1: red below zero, white at zero, blue
/// above.
pub fn diverging(t: f64) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t };
    ramp(&RDBU, (t.clamp(-1.0, 1.0) + 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_hit_their_stops() {
        assert_eq!(sequential(0.0).hex(), "#ffffd9");
        assert_eq!(sequential(1.0).hex(), "#081d58");
        assert_eq!(sequential(0.5).hex(), "#41b6c4");
        assert_eq!(diverging(0.0).hex(), "#f7f7f7");
        assert_eq!(diverging(-1.0).hex(), "#67001f");
        assert_eq!(diverging(1.0).hex(), "#053061");
        assert_eq!(diverging(5.0), diverging(1.0));
        assert_eq!(diverging(f64::NAN), diverging(0.0));
        // Halfway between stops 0 and 1 of YlGnBu (1/16 of the way).
        assert_eq!(sequential(0.0625), Rgb(0xf6, 0xfc, 0xc5));
    }

    #[test]
    fn text_contrasts_with_background() {
        assert_eq!(Rgb(255, 255, 255).text_colour(), "#000000");
        assert_eq!(Rgb(0, 0, 0).text_colour(), "#ffffff");
        assert_eq!(sequential(1.0).text_colour(), "#ffffff");
        assert_eq!(sequential(0.2).text_colour(), "#000000");
        assert!((Rgb(255, 255, 255).luminance() - 1.0).abs() < 1e-12);
    }
}
