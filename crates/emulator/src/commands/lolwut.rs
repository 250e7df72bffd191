//! LOLWUT: computer art and the server version.
//!
//! Redis 7.0 answers `Redis ver. 7.0.15` by default; `VERSION 5` draws
//! Georg Nees' "Schotter" (a grid of squares that get more disordered row
//! by row) in Braille characters, each character a 2×4 block of pixels.
//! The drawing follows Redis's documented geometry; the disorder comes from
//! the engine's random generator, so only the first two rows (never
//! disturbed) match redis-server pixel for pixel. `VERSION 6` draws a
//! city skyline (grey skyscrapers behind black ones with lit windows) in
//! coloured terminal cells, also from the engine's random generator. Other
//! versions answer with the version line, as the default does.

use crate::args::{self, Args};
use crate::command::{flags::*, CommandResult, CommandSpec, Group};
use crate::engine::{Ctx, REDIS_VERSION};
use crate::reply::Reply;
use crate::rng::Rng;

const BASE: CommandSpec = CommandSpec { group: Group::Server, ..CommandSpec::DEFAULT };

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "lolwut",
    arity: -1,
    flags: READONLY | FAST,
    since: "5.0.0",
    complexity: "",
    summary: "Draws some computer art and tells the server version",
    syntax: "[VERSION version]",
    acl: &["@read", "@fast"],
    handler: lolwut,
    ..BASE
}];

/// LOLWUT [VERSION version] [version-specific arguments…]
fn lolwut(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CommandResult {
    let mut version = None;
    let mut rest = &argv[1..];
    if argv.len() >= 3 && args::is(&argv[1], "VERSION") {
        version = Some(args::int(&argv[2])?);
        rest = &argv[3..];
    }
    // Redis formats the number as `%u.0.0` and picks by its first characters.
    let text = version.map(|v| format!("{}.0.0", v as u32)).unwrap_or_else(|| REDIS_VERSION.to_string());
    if text.starts_with("5.") && !text.starts_with("5.9") || text.starts_with("4.9") {
        return schotter_command(ctx.rng(), rest);
    }
    if text.starts_with("6.") && !text.starts_with("6.9") || text.starts_with("5.9") {
        return skyline_command(ctx.rng(), rest);
    }
    Ok(Reply::Verbatim(format!("Redis ver. {REDIS_VERSION}\n")))
}

/// LOLWUT VERSION 5 [columns [squares-per-row [squares-per-column]]]
fn schotter_command(rng: &mut Rng, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 0);
    let mut numbers = [66i64, 8, 12];
    for n in numbers.iter_mut() {
        if args.has_more() {
            *n = args.int()?;
        }
    }
    let [cols, per_row, per_col] = numbers;
    let (cols, per_row, per_col) =
        (cols.clamp(1, 1000) as i32, per_row.clamp(1, 200) as i32, per_col.clamp(1, 200) as i32);
    // Redis's limits still allow a canvas of 800 million pixels (one square
    // per row, 200 rows, 1000 columns): more than a browser tab can hold.
    let width = cols as f64 * 2.0;
    let height = (width - 4.0) / per_row as f64 * per_col as f64 + 4.0;
    if width * height > MAX_CANVAS_PIXELS as f64 {
        return Err(Reply::error("ERR LOLWUT canvas too large for the emulator (at most 4M pixels)"));
    }
    let canvas = schotter(cols, per_row, per_col, rng);
    let mut text = canvas.render();
    text.push_str("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ");
    text.push_str(REDIS_VERSION);
    text.push('\n');
    Ok(Reply::Verbatim(text))
}

/// LOLWUT VERSION 6 [columns [rows]]
fn skyline_command(rng: &mut Rng, argv: &[Vec<u8>]) -> CommandResult {
    let mut args = Args::new(argv, 0);
    let mut numbers = [80i64, 20];
    for n in numbers.iter_mut() {
        if args.has_more() {
            *n = args.int()?;
        }
    }
    let [cols, rows] = numbers;
    let (width, height) = (cols.clamp(1, 1000) as i32, rows.clamp(1, 1000) as i32);
    let mut pixels = vec![3u8; (width * height) as usize];
    skyline(width, height, rng, &mut pixels);
    let mut text = String::new();
    for y in 0..height {
        for x in 0..width {
            let escape = match pixels[(y * width + x) as usize] {
                1 => "0;90;100m",
                2 => "0;37;47m",
                3 => "0;97;107m",
                _ => "0;30;40m",
            };
            text.push_str(&format!("\x1b[{escape} \x1b[0m"));
        }
        if y != height - 1 {
            text.push('\n');
        }
    }
    text.push_str("\nDedicated to the 8 bit game developers of past and present.\n");
    text.push_str("Original 8 bit image from Plaguemon by hikikomori. Redis ver. ");
    text.push_str(REDIS_VERSION);
    text.push('\n');
    Ok(Reply::Verbatim(text))
}

/// One skyscraper: where, how big, its colour (0 black … 2 light grey),
/// whether it has windows, and the colour of the last window drawn.
struct Skyscraper {
    xoff: i32,
    width: i32,
    height: i32,
    color: u8,
    windows: bool,
    last_color: u8,
}

/// A random non-negative number below `n` (C's `rand() % n`).
fn below(rng: &mut Rng, n: i32) -> i32 {
    rng.below(n.max(1) as u64) as i32
}

/// The skyline on a white sky: two rows of grey skyscrapers (lighter ones
/// behind), then black ones with windows in front.
fn skyline(width: i32, height: i32, rng: &mut Rng, pixels: &mut [u8]) {
    let mut s = Skyscraper { xoff: 0, width: 0, height: 0, color: 2, windows: false, last_color: 0 };
    for color in [2u8, 1] {
        s.color = color;
        let mut offset = -10;
        while offset < width {
            offset += below(rng, 8);
            s.xoff = offset;
            s.width = 10 + below(rng, 9);
            let third_or_half = if color == 2 { 2 } else { 3 };
            s.height = height / 2 + below(rng, height) / third_or_half;
            skyscraper(&mut s, width, height, rng, pixels);
            offset += if color == 2 { s.width / 2 } else { s.width + 1 };
        }
    }
    s.color = 0;
    s.windows = true;
    let mut offset = -10;
    while offset < width {
        offset += below(rng, 8);
        s.xoff = offset;
        s.width = 5 + below(rng, 14);
        if s.width % 4 != 0 {
            s.width += s.width % 3;
        }
        s.height = height / 3 + below(rng, height) / 2;
        skyscraper(&mut s, width, height, rng, pixels);
        offset += s.width + 5;
    }
}

/// Draws one skyscraper from the ground up; the roof is narrower, and
/// windows (two cells wide, one tall) are lit in a grey other than the wall.
fn skyscraper(s: &mut Skyscraper, width: i32, height: i32, rng: &mut Rng, pixels: &mut [u8]) {
    let start_y = height - 1;
    let end_y = start_y - s.height + 1;
    for y in (end_y..=start_y).rev() {
        for x in s.xoff..s.xoff + s.width {
            if y == end_y && (x <= s.xoff + 1 || x >= s.xoff + s.width - 2) {
                continue;
            }
            let mut color = s.color;
            if s.windows && x > s.xoff + 1 && x < s.xoff + s.width - 2 && y > end_y + 1 && y < start_y - 1 {
                let (rel_x, rel_y) = (x - (s.xoff + 1), y - (end_y + 1));
                if (rel_x / 2) % 2 != 0 && rel_y % 2 != 0 {
                    color = s.color;
                    while color == s.color {
                        color = 1 + below(rng, 2) as u8;
                    }
                    if rel_x % 2 != 0 {
                        color = s.last_color;
                    }
                    s.last_color = color;
                }
            }
            if x >= 0 && y >= 0 && x < width && y < height {
                pixels[(y * width + x) as usize] = color;
            }
        }
    }
}

/// Largest Schotter canvas drawn (Redis's default one has 25,872 pixels).
const MAX_CANVAS_PIXELS: usize = 4 << 20;

/// A black and white pixel grid.
struct Canvas {
    width: i32,
    height: i32,
    pixels: Vec<bool>,
}

impl Canvas {
    fn new(width: i32, height: i32) -> Canvas {
        let (w, h) = (width.max(0) as usize, height.max(0) as usize);
        Canvas { width, height, pixels: vec![false; w * h] }
    }

    fn set(&mut self, x: i32, y: i32) {
        if x >= 0 && y >= 0 && x < self.width && y < self.height {
            self.pixels[(y * self.width + x) as usize] = true;
        }
    }

    fn get(&self, x: i32, y: i32) -> bool {
        x >= 0 && y >= 0 && x < self.width && y < self.height && self.pixels[(y * self.width + x) as usize]
    }

    /// Bresenham's line from (x1, y1) to (x2, y2), both ends included.
    fn line(&mut self, mut x1: i32, mut y1: i32, x2: i32, y2: i32) {
        let (dx, dy) = ((x2 - x1).abs(), (y2 - y1).abs());
        let (sx, sy) = (if x1 < x2 { 1 } else { -1 }, if y1 < y2 { 1 } else { -1 });
        let mut err = dx - dy;
        loop {
            self.set(x1, y1);
            if x1 == x2 && y1 == y2 {
                break;
            }
            let e2 = err * 2;
            if e2 > -dy {
                err -= dy;
                x1 += sx;
            }
            if e2 < dx {
                err += dx;
                y1 += sy;
            }
        }
    }

    /// A square centred on (x, y) with side `size`, rotated by `angle`
    /// radians: its corners lie on the circle the side is inscribed in.
    /// Single-precision where Redis computes in `float`.
    #[allow(clippy::approx_constant)] // Redis divides by this literal, not by √2 itself
    fn square(&mut self, x: i32, y: i32, size: f32, angle: f32) {
        let size = ((size as f64 / 1.4142135623) as f32 as f64).round() as f32;
        let mut k: f32 = (std::f64::consts::FRAC_PI_4 + angle as f64) as f32;
        let mut corners = [(0i32, 0i32); 4];
        for corner in corners.iter_mut() {
            let px = ((k as f64).sin() * size as f64 + x as f64).round() as i32;
            let py = ((k as f64).cos() * size as f64 + y as f64).round() as i32;
            *corner = (px, py);
            k = (k as f64 + std::f64::consts::FRAC_PI_2) as f32;
        }
        for j in 0..4 {
            let (a, b) = (corners[j], corners[(j + 1) % 4]);
            self.line(a.0, a.1, b.0, b.1);
        }
    }

    /// Braille rendering: each character shows a 2×4 block of pixels; rows
    /// of characters are separated by newlines.
    fn render(&self) -> String {
        let mut text = String::new();
        let mut y = 0;
        while y < self.height {
            let mut x = 0;
            while x < self.width {
                let dots = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)];
                let lit = dots.iter().enumerate().filter(|(_, (dx, dy))| self.get(x + dx, y + dy));
                let bits = lit.fold(0, |b, (i, _)| b | 1 << i);
                text.push(char::from_u32(0x2800 + bits).unwrap_or(' '));
                x += 2;
            }
            if y != self.height - 1 {
                text.push('\n');
            }
            y += 4;
        }
        text
    }
}

/// Georg Nees' "Schotter": `per_col` rows of `per_row` squares across a
/// canvas `cols` characters wide; from the third row on, each square is
/// rotated and shifted at random, more the lower it is.
fn schotter(cols: i32, per_row: i32, per_col: i32, rng: &mut Rng) -> Canvas {
    let width = cols * 2;
    let padding = if width > 4 { 2 } else { 0 };
    let side: f32 = (width - padding * 2) as f32 / per_row as f32;
    let height = (side * per_col as f32 + (padding * 2) as f32) as i32;
    let mut canvas = Canvas::new(width, height);
    for y in 0..per_col {
        for x in 0..per_row {
            let mut sx = (x as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut sy = (y as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut angle = 0.0f32;
            if y > 1 {
                let draw = |rng: &mut Rng| rng.unit() as f32 / per_col as f32 * y as f32;
                let (mut r1, mut r2, mut r3) = (draw(rng), draw(rng), draw(rng));
                for r in [&mut r1, &mut r2, &mut r3] {
                    if rng.below(2) == 1 {
                        *r = -*r;
                    }
                }
                angle = r1;
                // C's `int += float`: the sum is truncated, not the addend.
                sx = (sx as f32 + r2 * side / 3.0) as i32;
                sy = (sy as f32 + r3 * side / 3.0) as i32;
            }
            canvas.square(sx, sy, side, angle);
        }
    }
    canvas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undisturbed_rows_are_exact() {
        let mut rng = Rng::new(1);
        assert_eq!(schotter(1, 1, 1, &mut rng).render(), "\u{280b}\n");
        let art = schotter(66, 8, 12, &mut rng).render();
        assert_eq!(art.lines().count(), 49);
        assert!(art.lines().all(|l| l.chars().count() == 66));
    }
}
