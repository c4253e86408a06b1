//! Reading C literals and constant-looking names into operands.

use crate::ir::Operand;

/// `SOCK_STREAM`, `AF_INET`, `NULL`: upper-case letters, digits and underscores with at least
/// one letter. C code names its macros and enum constants this way, so an undeclared name
/// of this shape is a constant, not a global variable.
pub(super) fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A number literal's value: decimal, hex, octal or binary, with `u`/`l` suffixes and `'`
/// separators. Floating-point literals have no integer value.
pub(super) fn parse_int(literal: &str) -> Option<i64> {
    // tree-sitter-c reads a leading sign as part of the literal (`case -1:`).
    if let Some(magnitude) = literal.strip_prefix('-') {
        return parse_int(magnitude.trim_start()).map(i64::wrapping_neg);
    }
    let literal = literal.strip_prefix('+').unwrap_or(literal).trim_start();
    // Most literals are plain decimals (`0`, `42`): read them without the copies below.
    let plain_decimal = literal.bytes().all(|b| b.is_ascii_digit())
        && (literal.len() == 1 || !literal.starts_with('0'));
    if plain_decimal {
        return literal.parse::<u64>().ok().map(|value| value as i64);
    }
    let cleaned: String = literal.chars().filter(|&c| c != '\'').collect();
    let digits = cleaned.trim_end_matches(['u', 'U', 'l', 'L']);
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(hex) = lower.strip_prefix("0x") {
        (16, hex)
    } else if let Some(binary) = lower.strip_prefix("0b") {
        (2, binary)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    // Wrapping keeps `0xFFFFFFFFFFFFFFFF` as -1, the bit pattern C code means by it.
    u64::from_str_radix(body, radix).ok().map(|value| value as i64)
}

/// A character literal's value, for plain characters and the common escapes.
pub(super) fn parse_char(literal: &str) -> Option<i64> {
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut chars = inner.chars();
    let first = chars.next()?;
    let rest: String = chars.collect();
    if first != '\\' {
        return rest.is_empty().then_some(first as i64);
    }
    let value = match rest.as_str() {
        "n" => '\n' as i64,
        "t" => '\t' as i64,
        "r" => '\r' as i64,
        "0" => 0,
        "\\" => '\\' as i64,
        "'" => '\'' as i64,
        "\"" => '"' as i64,
        _ => return None,
    };
    Some(value)
}

/// The operand for a number literal: its integer value, or unknown for a float.
pub(super) fn number_operand(literal: &str) -> Operand {
    parse_int(literal).map_or(Operand::Unknown, Operand::Int)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_in_every_base() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("010"), Some(8));
        assert_eq!(parse_int("0b101"), Some(5));
        assert_eq!(parse_int("1UL"), Some(1));
        assert_eq!(parse_int("0"), Some(0));
        assert_eq!(parse_int("1.5"), None);
        assert_eq!(parse_int("1'000"), Some(1000));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("--1"), Some(1));
        assert_eq!(parse_int("18446744073709551615"), Some(-1));
        assert_eq!(parse_int("18446744073709551616"), None);
        assert_eq!(parse_int(""), None);
    }

    #[test]
    fn constant_names() {
        assert!(is_constant_name("SOCK_STREAM"));
        assert!(is_constant_name("AF_INET6"));
        assert!(!is_constant_name("_"));
        assert!(!is_constant_name("fd"));
        assert!(!is_constant_name("Fd"));
    }

    #[test]
    fn characters() {
        assert_eq!(parse_char("'a'"), Some(97));
        assert_eq!(parse_char("'\\n'"), Some(10));
        assert_eq!(parse_char("'\\x41'"), None);
    }
}
