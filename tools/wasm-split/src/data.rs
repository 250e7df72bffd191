//! Read-only data that only secondary code uses goes to those secondaries.
//!
//! All data starts out in the primary's segments, so the first download
//! carries every string and table of the program. With the linker's map
//! (wasm-ld `--Map`, written by the app's build script), the data is known as
//! *units*, the input sections of `.rodata` (one string, one table…), and a
//! unit is placed by who can reach it:
//!
//! - a function *reaches* a unit when one of its numbers (an `i32.const`
//!   operand, either half of an `i64.const` — a `&str`'s pointer and length
//!   stored at once —, a load's or store's constant offset) falls within
//!   [`WINDOW`] bytes of it: an address may be computed from a constant just
//!   outside the unit (`table - 16 + 16 * i`);
//! - a reached unit reaches the units its aligned 32-bit words point into (a
//!   table of strings reaches the strings), and the writable statics
//!   (`.data`) count as reached by the primary.
//!
//! A unit reached by the primary stays there; a unit no code reaches stays
//! there too (nothing proves it unused); any other unit moves to every
//! secondary whose code reaches it. Addresses an instrumented build saw
//! each module's code read (`--reads`) count as reached too, and any the
//! numbers alone would have missed are reported: the profile script fails
//! on them. A secondary writes its units into the
//! shared memory when it is instantiated, before any of its functions runs —
//! and only its own functions reach them. Read-only data is never written by
//! the program, so a unit that two secondaries both carry is simply written
//! twice with the same bytes.
use std::collections::BTreeSet;
use std::ops::Range;

use walrus::ir::Value;
use walrus::{ConstExpr, DataKind, MemoryId, Module};

use crate::Error;

/// How far from a unit a number still counts as addressing it. Checked
/// against the reads of an instrumented build (scripts/split-profile.mjs):
/// with no margin the analysis misses units addressed from up to 8 bytes
/// outside them; 64 is eight times that.
pub const WINDOW: u32 = 64;

/// Moved pieces shorter than this stay in the primary as well (a segment's
/// own header would cost about as much).
const MIN_CUT: u32 = 32;

/// The linker's view of the data: read-only units, writable ranges.
#[derive(Debug, Default)]
pub struct LinkMap {
    /// `.rodata` input sections, sorted by address, not overlapping.
    pub units: Vec<Range<u32>>,
    /// `.data` and `.bss`: written by the program, never moved.
    pub writable: Vec<Range<u32>>,
}

/// Reads wasm-ld's `--Map` output: the `.rodata` output section's input
/// sections become units, `.data`/`.bss` writable ranges.
pub fn read_link_map(path: &str) -> Result<LinkMap, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    parse_link_map(&text)
}

/// The map's text (see [`read_link_map`]). Columns: address, file offset,
/// size, then the name, indented by what it is (output section, input
/// section, symbol).
pub fn parse_link_map(text: &str) -> Result<LinkMap, Error> {
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty link map")?;
    if !(header.contains("Out") && header.contains("In") && header.contains("Symbol")) {
        return Err("not a wasm-ld map (no Out/In/Symbol columns)".into());
    }
    let mut map = LinkMap::default();
    let mut section = String::new();
    for line in lines {
        let Some((addr, size, indent, name)) = map_line(line) else { continue };
        match indent {
            // An output section.
            0 => {
                section = name.to_string();
                if matches!(name, ".data" | ".bss" | ".tdata") {
                    map.writable.push(addr..addr.saturating_add(size));
                }
            }
            // An input section.
            8 if section == ".rodata" && size > 0 => map.units.push(addr..addr.saturating_add(size)),
            _ => {}
        }
    }
    map.units.sort_by_key(|r| r.start);
    for pair in map.units.windows(2) {
        if pair[0].end > pair[1].start {
            return Err(format!("link map: units {:x?} and {:x?} overlap", pair[0], pair[1]).into());
        }
    }
    if map.units.is_empty() {
        return Err("link map: no .rodata input sections".into());
    }
    Ok(map)
}

/// One line of the map: address, size, how far the name is indented past
/// the size column (0 output section, 8 input section, 16 symbol), name.
fn map_line(line: &str) -> Option<(u32, u32, usize, &str)> {
    let mut fields = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c == ' ', start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                fields.push((s, i));
                start = None;
                if fields.len() == 3 {
                    break;
                }
            }
            _ => {}
        }
    }
    let [(a0, a1), _, (s0, s1)] = fields[..] else { return None };
    let addr = u32::from_str_radix(&line[a0..a1], 16).ok()?;
    let size = u32::from_str_radix(&line[s0..s1], 16).ok()?;
    let rest = &line[s1 + 1..];
    let name = rest.trim_start();
    Some((addr, size, rest.len() - name.len(), name.trim_end()))
}

/// The module's initial memory as one picture (active segments at
/// constant offsets).
pub struct Image {
    pub base: u32,
    pub bytes: Vec<u8>,
}

impl Image {
    pub fn of(m: &Module) -> Result<Image, Error> {
        let mut pieces = Vec::new();
        for d in m.data.iter() {
            match &d.kind {
                DataKind::Active { offset: ConstExpr::Value(Value::I32(o)), .. } => pieces.push((*o as u32, &d.value)),
                DataKind::Active { .. } => return Err("a data segment at a non-constant offset".into()),
                DataKind::Passive => return Err("a passive data segment".into()),
            }
        }
        let base = pieces.iter().map(|(o, _)| *o).min().unwrap_or(0);
        let end = pieces.iter().map(|(o, v)| *o as usize + v.len()).max().unwrap_or(0);
        let mut bytes = vec![0; end.saturating_sub(base as usize)];
        for (o, v) in pieces {
            let at = (o - base) as usize;
            bytes[at..at + v.len()].copy_from_slice(v);
        }
        Ok(Image { base, bytes })
    }

    fn word(&self, addr: u32) -> Option<u32> {
        let at = addr.checked_sub(self.base)? as usize;
        let b = self.bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn slice(&self, r: &Range<u32>) -> &[u8] {
        let len = self.bytes.len();
        let start = (r.start.saturating_sub(self.base) as usize).min(len);
        let end = (r.end.saturating_sub(self.base) as usize).min(len);
        &self.bytes[start..end]
    }
}

/// Where the moved data goes: per secondary, the address ranges it writes;
/// and the ranges the primary no longer carries.
#[derive(Debug, Default)]
pub struct Placement {
    pub parts: Vec<Vec<Range<u32>>>,
    pub cut: Vec<Range<u32>>,
    /// Units read at run time (recorded by an instrumented build) that the
    /// code's numbers alone would not have kept where they were read: each
    /// is a case the analysis missed (the reads keep them in place).
    pub missed: Vec<Range<u32>>,
}

/// What reaches data from one module: its functions' numbers, and the
/// addresses it was seen reading (empty without a recording).
#[derive(Debug, Default, Clone)]
pub struct Roots {
    pub numbers: Vec<u32>,
    pub reads: Vec<u32>,
}

/// Places the units: `primary` reaches from the primary, `parts[k]` from
/// secondary `k`.
pub fn place(map: &LinkMap, image: &Image, primary: &Roots, parts: &[Roots]) -> Placement {
    let finder = Units(&map.units);
    let mut seeds: BTreeSet<usize> = primary.numbers.iter().flat_map(|a| finder.near(*a)).collect();
    // Pointers held by the writable statics.
    for w in &map.writable {
        seeds.extend(finder.pointed_from(image, w));
    }
    let by_numbers = closure(&finder, image, seeds.clone());
    seeds.extend(primary.reads.iter().flat_map(|a| finder.pointed(*a)));
    let kept = closure(&finder, image, seeds);
    let mut missed: BTreeSet<usize> = kept.difference(&by_numbers).copied().collect();
    let mut placement = Placement::default();
    let mut moved_any = BTreeSet::new();
    for roots in parts {
        let seeds: BTreeSet<usize> = roots.numbers.iter().flat_map(|a| finder.near(*a)).collect();
        let by_numbers = closure(&finder, image, seeds.clone());
        let reached = closure(
            &finder,
            image,
            seeds.into_iter().chain(roots.reads.iter().flat_map(|a| finder.pointed(*a))).collect(),
        );
        missed.extend(reached.difference(&by_numbers).filter(|u| !kept.contains(u)));
        let moved: Vec<usize> = reached.difference(&kept).copied().collect();
        moved_any.extend(moved.iter().copied());
        placement.parts.push(merge(moved.iter().map(|&u| map.units[u].clone())));
    }
    placement.cut = merge(moved_any.iter().map(|&u| map.units[u].clone()))
        .into_iter()
        .filter(|r| r.len() as u32 >= MIN_CUT)
        .collect();
    placement.missed = missed.iter().map(|&u| map.units[u].clone()).collect();
    placement
}

/// Addresses recorded by an instrumented build, by module: lines
/// `<part> <hex address>` (`primary`, or a secondary's number); `#` comments.
pub fn read_reads(path: &str, parts: usize) -> Result<(Vec<u32>, Vec<Vec<u32>>), Error> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let (mut primary, mut others) = (Vec::new(), vec![Vec::new(); parts]);
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let (who, hex) = line.split_once(' ').ok_or_else(|| format!("{path}: bad line {line:?}"))?;
        let addr = u32::from_str_radix(hex.trim(), 16).map_err(|_| format!("{path}: bad address in {line:?}"))?;
        match who {
            "primary" => primary.push(addr),
            n => {
                let k: usize = n.parse().map_err(|_| format!("{path}: bad module in {line:?}"))?;
                others.get_mut(k).ok_or_else(|| format!("{path}: no module {k}"))?.push(addr);
            }
        }
    }
    Ok((primary, others))
}

/// The units, sorted, for lookups by address.
struct Units<'a>(&'a [Range<u32>]);

impl Units<'_> {
    /// Units within [`WINDOW`] of `addr`.
    fn near(&self, addr: u32) -> Vec<usize> {
        let (lo, hi) = (addr.saturating_sub(WINDOW), addr.saturating_add(WINDOW));
        let first = self.0.partition_point(|u| u.end <= lo);
        (first..self.0.len()).take_while(|&i| self.0[i].start <= hi).collect()
    }

    /// The units the aligned 32-bit words of `range` point into (or just past).
    fn pointed_from<'a>(&'a self, image: &'a Image, range: &Range<u32>) -> impl Iterator<Item = usize> + 'a {
        (range.start.next_multiple_of(4)..range.end.saturating_sub(3))
            .step_by(4)
            .filter_map(|a| image.word(a))
            .flat_map(|v| self.pointed(v))
    }

    /// The unit a pointer `v` points into, and the one it points just past.
    fn pointed(&self, v: u32) -> Vec<usize> {
        let i = self.0.partition_point(|u| u.end <= v);
        let mut out = Vec::new();
        if i < self.0.len() && self.0[i].contains(&v) {
            out.push(i);
        }
        if i > 0 && self.0[i - 1].end == v {
            out.push(i - 1);
        }
        out
    }
}

/// Everything reachable from `seeds` through the pointers the units hold.
fn closure(units: &Units, image: &Image, seeds: BTreeSet<usize>) -> BTreeSet<usize> {
    let mut done = BTreeSet::new();
    let mut todo: Vec<usize> = seeds.into_iter().collect();
    while let Some(u) = todo.pop() {
        if !done.insert(u) {
            continue;
        }
        todo.extend(units.pointed_from(image, &units.0[u]).filter(|p| !done.contains(p)));
    }
    done
}

/// Adjacent or touching ranges joined, in order.
fn merge(ranges: impl Iterator<Item = Range<u32>>) -> Vec<Range<u32>> {
    let mut all: Vec<Range<u32>> = ranges.collect();
    all.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u32>> = Vec::new();
    for r in all {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Removes `cut` from the module's active segments (the memory is zero there
/// until a secondary writes it).
pub fn cut_out(m: &mut Module, cut: &[Range<u32>]) -> Result<usize, Error> {
    if cut.is_empty() {
        return Ok(0);
    }
    let mut removed = 0;
    let ids: Vec<_> = m.data.iter().map(|d| d.id()).collect();
    for id in ids {
        let d = m.data.get(id);
        let DataKind::Active { memory, offset: ConstExpr::Value(Value::I32(o)) } = d.kind else {
            return Err("a data segment at a non-constant offset".into());
        };
        let start = o as u32;
        let end = start + d.value.len() as u32;
        let overlapping: Vec<&Range<u32>> = cut.iter().filter(|c| c.start < end && c.end > start).collect();
        if overlapping.is_empty() {
            continue;
        }
        let value = d.value.clone();
        let mut pieces = Vec::new();
        let mut at = start;
        for c in overlapping {
            if c.start > at {
                pieces.push(at..c.start);
            }
            at = at.max(c.end);
        }
        if at < end {
            pieces.push(at..end);
        }
        let kept: usize = pieces.iter().map(|p| p.len()).sum();
        removed += value.len() - kept;
        m.data.delete(id);
        m.memories.get_mut(memory).data_segments.remove(&id);
        for p in pieces {
            let bytes = value[(p.start - start) as usize..(p.end - start) as usize].to_vec();
            add_segment(m, memory, p.start, bytes);
        }
    }
    Ok(removed)
}

/// Writes `ranges` of `image` as active segments of `m`'s memory `memory`.
pub fn fill(m: &mut Module, memory: MemoryId, image: &Image, ranges: &[Range<u32>]) -> usize {
    let mut written = 0;
    for r in ranges {
        let bytes = image.slice(r).to_vec();
        written += bytes.len();
        if !bytes.is_empty() {
            add_segment(m, memory, r.start, bytes);
        }
    }
    written
}

fn add_segment(m: &mut Module, memory: MemoryId, at: u32, bytes: Vec<u8>) {
    let offset = ConstExpr::Value(Value::I32(at as i32));
    let id = m.data.add(DataKind::Active { memory, offset }, bytes);
    m.memories.get_mut(memory).data_segments.insert(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = "    Addr      Off     Size Out     In      Symbol
       -    40977   2ca651 CODE
  100000   30afc9       30 .rodata
  100000   30afd3       10         a.o:(.rodata..Lanon.1)
  100000   30afd3       10                 .Lanon.1
  100010   30afe3       20         a.o:(.rodata..Lanon.2)
  100030   30b003       18 .data
  100030   30b003       18         a.o:(.data.x)
  100048   30afc8        8 .bss
";

    #[test]
    fn the_map_gives_units_and_writable_ranges() {
        let map = parse_link_map(MAP).unwrap();
        assert_eq!(map.units, vec![0x100000..0x100010, 0x100010..0x100030]);
        assert_eq!(map.writable, vec![0x100030..0x100048, 0x100048..0x100050]);
        assert!(parse_link_map("nonsense").is_err());
    }

    #[test]
    fn units_are_found_near_an_address_and_by_pointer() {
        let units = [0x1000..0x1010, 0x1010..0x1400, 0x2000..0x2004];
        let u = Units(&units);
        assert_eq!(u.near(0x1004), vec![0, 1]);
        assert_eq!(u.near(0x1400 + WINDOW - 1), vec![1], "just past a unit's end");
        assert_eq!(u.near(0x1400 + WINDOW), Vec::<usize>::new(), "a window past it");
        assert_eq!(u.near(0x2000 - WINDOW), vec![2], "a window before a unit");
        assert_eq!(u.pointed(0x1010), vec![1, 0]);
        assert_eq!(u.pointed(0x1800), Vec::<usize>::new());
    }
}
