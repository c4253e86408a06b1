//! Lowering never fails: syntax errors are recorded, deep nesting is bounded.

use expect_test::expect;

use super::{check, lower};

#[test]
fn syntax_error_is_recorded() {
    check(
        "fn ok() {}\nfn f() { let = 1; }",
        expect![[r#"
        error 24..25: expected one of: identifier, `::`, `<`, `_`, literal, `const`, `ref`, `mut`, `&`, parentheses, square brackets, `..`, `const`
    "#]],
    );
    check(
        "fn f( { let = ; }",
        expect![[r#"
        error 4..4: cannot parse string into token stream
    "#]],
    );
}

/// syn parses recursively; `lower` runs it on a thread with a large stack, and our own
/// lowering stops at a fixed depth.
#[test]
fn deeply_nested_parentheses_and_blocks() {
    let depth = 5000;
    let parens = format!("fn f() {{ let x = {}g(){}; }}", "(".repeat(depth), ")".repeat(depth));
    let file = lower(&parens);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.functions.len(), 1);

    let blocks = format!("fn f() {{ let x = {}g(){}; }}", "{".repeat(depth), "}".repeat(depth));
    let file = lower(&blocks);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.functions.len(), 1);

    // Two tokens a level (`g` and its parentheses) for the nesting estimate.
    let calls = format!("fn f() {{ {}1{}; }}", "g(".repeat(depth / 2), ")".repeat(depth / 2));
    let file = lower(&calls);
    assert_eq!(file.functions.len(), 1);
}

#[test]
fn dead_code_and_odd_shapes_do_not_panic() {
    let file = lower(
        r#"
fn f() { break; continue; return; loop {} let x = 1; }
fn g() -> ! { panic!() }
fn h() { let [a, .., b] = arr; match x { 1..=3 => {}, _ if y => {}, } }
macro_rules! m { () => {} }
fn i() { m!(); foo::<u8>(); (self.cb)(1); }
"#,
    );
    assert!(file.errors.is_empty());
    assert_eq!(file.functions.len(), 4);
}
/// Beyond what even the big stack is sure to take, the file is refused with an error.
#[test]
fn nesting_beyond_the_limit_is_an_error() {
    let depth = 20_000;
    let blocks = format!("fn f() {{ let x = {}g(){}; }}", "{".repeat(depth), "}".repeat(depth));
    let file = lower(&blocks);
    assert!(file.functions.is_empty());
    assert_eq!(file.errors.len(), 1);
    assert!(file.errors[0].message.contains("nested deeper"), "{:?}", file.errors);
}

/// Long chains are flat in the source but deep in the tree: lowered while the nesting
/// estimate allows, refused beyond it (a million of them overflowed 256 MiB of stack).
#[test]
fn long_chains_are_bounded() {
    let chains = |length: usize| {
        format!(
            "fn f() {{ let x = 1{}; let y = a{}; let z = {}x; let w = {}u8; }}",
            "+1".repeat(length),
            ".b()".repeat(length),
            "!".repeat(length),
            "&".repeat(length),
        )
    };
    let file = lower(&chains(2000));
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.functions.len(), 1);

    let file = lower(&chains(1_000_000));
    assert!(file.functions.is_empty());
    assert!(file.errors[0].message.contains("nested deeper"), "{:?}", file.errors);
}

/// What the estimate counts: tokens since the last `;` or top-level `,`, per group around.
#[test]
fn nesting_estimate_resets_where_trees_end() {
    use crate::frontend::rust::nesting::too_deep_at;
    let deepest = |text: &str| {
        let tokens: proc_macro2::TokenStream = text.parse().unwrap();
        (0..100).find(|&limit| too_deep_at(&tokens, limit).is_none()).unwrap()
    };
    // Brackets in comments and strings are not tokens.
    assert_eq!(deepest("f(\"(((\" /* ((( */ // (((\n '(')"), 4);
    assert_eq!(deepest("a; b; c; d;"), 1);
    assert_eq!(deepest("[1, 2, 3, 4, 5]"), 2);
    assert_eq!(deepest("- - - - 1"), 5);
    // Commas inside generics and closure parameters do not end a tree.
    assert_eq!(deepest("V<A, V<A, u8>>"), 11);
    assert_eq!(deepest("|a, b| |a, b| 1"), 11);
    // Items after a block start afresh; an `else` or an operator carries the tree on.
    assert_eq!(deepest("fn f() {} fn g() {} fn h() {}"), 4);
    assert_eq!(deepest("if a {} else if a {} else {}"), 9);
    assert_eq!(deepest("{1} + {1} + {1}"), 6);
}
