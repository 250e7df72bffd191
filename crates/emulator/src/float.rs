//! Number parsing and formatting with Redis's exact rules: `string2ll` for
//! integers (no `+`, no leading zeros, no spaces) and `strtod` + checks for
//! doubles; doubles are printed like C's `%.17g`.

/// Parses a signed 64-bit integer the way Redis's `string2ll` does.
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    if b == b"0" {
        return Some(0);
    }
    let (neg, digits) = match b[0] {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// Parses a double the way Redis's `getDoubleFromObject` does: the whole
/// string must be a number, no leading space, `inf`/`-inf` allowed, NaN
/// and out-of-range values refused.
pub fn parse_f64(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b).ok()?;
    let first = *b.first()?;
    if first.is_ascii_whitespace() || first == 0x0b || first == 0x0c {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if lower.len() - unsigned.len() > 1 {
        return None;
    }
    if unsigned == "inf" || unsigned == "infinity" {
        return Some(if lower.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if unsigned.starts_with("0x") {
        return parse_hex_float(unsigned).map(|v| if lower.starts_with('-') { -v } else { v });
    }
    if !unsigned.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-')) {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    if v.is_nan() || v.is_infinite() {
        return None;
    }
    if v == 0.0 {
        // strtod reports underflow (ERANGE) when nonzero digits rounded to 0.
        let mantissa = unsigned.split('e').next().unwrap_or("");
        if mantissa.bytes().any(|c| matches!(c, b'1'..=b'9')) {
            return None;
        }
    }
    Some(v)
}

/// Hexadecimal numbers as strtod reads them (`0x1A`, `0x1.8p3`).
fn parse_hex_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix("0x")?;
    let (mant, exp) = match body.split_once('p') {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    (v.is_finite()).then_some(v)
}

/// Formats like C's `printf("%.*g", precision, d)`.
pub fn format_g(d: f64, precision: usize) -> String {
    if d.is_nan() {
        return if d.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, d);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let mantissa = strip_fraction_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_fraction_zeros(&format!("{d:.decimals$}")).to_string()
    }
}

fn strip_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// How Redis 7.0 prints a double reply (`addReplyDouble`): `%.17g`, with
/// `inf` / `-inf` spelled out.
pub fn format_double(d: f64) -> String {
    format_g(d, 17)
}

/// Why an INCRBYFLOAT-style addition failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncrFloatError {
    /// The stored value or the increment is not a number `strtold` accepts
    /// (`ERR value is not a valid float`, or the hash variant's wording).
    NotAFloat,
    /// `ERR increment would produce NaN or Infinity`.
    NanOrInfinity,
}

/// INCRBYFLOAT / HINCRBYFLOAT on the original texts: parses the current
/// value (`None` = missing key or field, i.e. 0) and the increment as C
/// `long double` (x86-64 80-bit extended), adds them with one rounding and
/// prints the sum like Redis (`%.17Lf`, trailing zeros trimmed). This is the
/// exact emulation; see [`crate::long_double`].
pub fn incr_by_float_bytes(current: Option<&[u8]>, incr: &[u8]) -> Result<Vec<u8>, IncrFloatError> {
    use crate::long_double::LongDouble;
    let value = match current {
        None => LongDouble::ZERO,
        Some(c) => LongDouble::parse(c).ok_or(IncrFloatError::NotAFloat)?,
    };
    let incr = LongDouble::parse(incr).ok_or(IncrFloatError::NotAFloat)?;
    match value.sum(incr) {
        Some(sum) if !sum.inf => Ok(sum.to_human().into_bytes()),
        _ => Err(IncrFloatError::NanOrInfinity),
    }
}

/// INCRBYFLOAT / HINCRBYFLOAT arithmetic from already-parsed doubles: the
/// operands are widened exactly to `long double`, added with one rounding
/// and printed like Redis. Prefer [`incr_by_float_bytes`]: Redis parses the
/// texts directly as `long double`, so `0.1` there is not the double `0.1`.
pub fn incr_by_float_text(current: f64, incr: f64) -> Result<Vec<u8>, &'static str> {
    use crate::long_double::LongDouble;
    if current.is_nan() || incr.is_nan() {
        return Err("ERR increment would produce NaN or Infinity");
    }
    match LongDouble::from_f64(current).sum(LongDouble::from_f64(incr)) {
        Some(sum) if !sum.inf => Ok(sum.to_human().into_bytes()),
        _ => Err("ERR increment would produce NaN or Infinity"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        for bad in ["", "-0", "01", "+1", " 1", "1 ", "9223372036854775808", "1.0", "-"] {
            assert_eq!(parse_i64(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn doubles_follow_strtod_checks() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        for bad in ["", " 1", "1 ", "nan", "1e400", "1e-400", "abc", "--1", "1e"] {
            assert_eq!(parse_f64(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn g17_matches_printf() {
        assert_eq!(format_double(1.0), "1");
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(0.1), "0.10000000000000001");
        assert_eq!(format_double(-0.0), "-0");
        assert_eq!(format_double(1e20), "1e+20");
        assert_eq!(format_double(123456789012345680.0), "1.2345678901234568e+17");
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(format_double(0.00001), "1.0000000000000001e-05");
        assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_g(1.23456, 4), "1.235");
    }

    #[test]
    fn incr_by_float_from_texts_matches_redis() {
        assert_eq!(incr_by_float_bytes(Some(b"10.5"), b"0.1"), Ok(b"10.6".to_vec()));
        assert_eq!(incr_by_float_bytes(None, b"5.0e3"), Ok(b"5000".to_vec()));
        assert_eq!(incr_by_float_bytes(Some(b"abc"), b"1"), Err(IncrFloatError::NotAFloat));
        assert_eq!(incr_by_float_bytes(None, b"inf"), Err(IncrFloatError::NanOrInfinity));
        // From doubles the operands are the doubles' exact values, so the
        // double nearest 0.1 shows through in the 17th digit.
        assert_eq!(incr_by_float_text(10.5, 0.1), Ok(b"10.60000000000000001".to_vec()));
        assert_eq!(incr_by_float_text(1.5, 1.0), Ok(b"2.5".to_vec()));
    }
}
