//! Broken and hostile input: lowering records errors and carries on, never panics.

use expect_test::expect;

use super::{check, lower};

#[test]
fn syntax_error_in_one_function_does_not_stop_the_next() {
    check(
        "void broken(void) { int x = ; close(fd) }\nvoid fine(void) { fork(); }\n",
        expect![[r#"
        error 28..29: syntax error
        error 39..39: expected `;`
        fn broken params=0 locals=[_0:x]
          bb0:
            _0 = call close(global fd)
            return
        fn fine params=0 locals=[]
          bb0:
            eval call fork()
            return
    "#]],
    );
}

#[test]
fn macro_statement_without_semicolon() {
    check(
        "void f(int fd) { LOG(\"closing\") close(fd); fork(); }",
        expect![[r#"
        error 31..31: expected `;`
        fn f params=1 locals=[_0:fd]
          bb0:
            eval call LOG("closing")
            eval call close(_0)
            eval call fork()
            return
    "#]],
    );
}

#[test]
fn ten_thousand_nested_parentheses() {
    let text = format!("int main(void) {{ x = {}1{}; }}", "(".repeat(10_000), ")".repeat(10_000));
    let file = lower(&text);
    assert_eq!(file.functions.len(), 1);
    let unbalanced = "(".repeat(10_000);
    let file = lower(&unbalanced);
    assert!(!file.errors.is_empty());
}

#[test]
fn ten_thousand_nested_calls_stop_at_the_depth_bound() {
    let text =
        format!("int main(void) {{ {}0{}; fork(); }}", "f(".repeat(10_000), ")".repeat(10_000));
    let file = lower(&text);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    assert_eq!(file.errors[0].message, "nesting too deep");
}

#[test]
fn ten_thousand_nested_blocks_and_ifs() {
    let blocks = format!("void f(void) {{ {}fork();{} }}", "{".repeat(10_000), "}".repeat(10_000));
    assert!(!lower(&blocks).errors.is_empty());
    let ifs = format!("void f(int a) {{ {} fork(); }}", "if (a) ".repeat(10_000));
    assert!(!lower(&ifs).errors.is_empty());
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "}",
        "int f(",
        "int f() {",
        "#ifdef X\nint f() {\n#endif\n",
        "void f(void) { switch }",
        "\u{feff}é",
    ] {
        lower(text);
    }
}

/// Every recursive path (calls, negations, indexes, `&&` chains as values and as
/// conditions, statement expressions, blocks, loops) stops at the depth bound, with room to
/// spare on a 1 MB thread stack even in a debug build.
#[test]
fn every_deep_shape_is_bounded_on_a_1_mb_stack() {
    let shapes = [
        format!("int main(void) {{ {}0{}; }}", "f(".repeat(10_000), ")".repeat(10_000)),
        format!("int main(void) {{ if ({}0{}) x(); }}", "!f(".repeat(10_000), ")".repeat(10_000)),
        format!("int main(void) {{ x = {}0{}; }}", "a[".repeat(10_000), "]".repeat(10_000)),
        format!("int main(void) {{ x = {}0; }}", "a && ".repeat(10_000)),
        format!("int main(void) {{ if ({}0) f(); }}", "a && ".repeat(10_000)),
        format!("int main(void) {{ {}0{}; }}", "({".repeat(10_000), ";})".repeat(10_000)),
        format!(
            "void f(int a) {{ {} fork(); }}",
            "while (a) if (a) switch (a) case 1: ".repeat(3_000)
        ),
    ];
    for text in shapes {
        let lowered = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || lower(&text).errors)
            .expect("spawn a thread")
            .join()
            .expect("lowering returns");
        assert!(lowered.iter().any(|error| error.message == "nesting too deep"), "{lowered:?}");
    }
}
