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

/// Every prefix of a realistic program is some kind of broken C: none may panic, and each
/// error span must lie inside the text.
#[test]
fn every_prefix_of_a_program_lowers() {
    let program = PROGRAM;
    for end in (0..=program.len()).filter(|&end| program.is_char_boundary(end)) {
        let text = &program[..end];
        let file = lower(text);
        for error in &file.errors {
            assert!(
                error.span.start <= error.span.end && error.span.end <= text.len(),
                "{end}: {error:?}"
            );
        }
    }
}

/// A small server function using most of what the frontend handles.
const PROGRAM: &str = r#"
#include <unistd.h>
#define CHECK(x) do { if ((x) < 0) abort(); } while (0)
static struct conn *conns[4];
int serve(struct conn *c, int (*cb)(int)) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), n;
    char buf[64] = "";
    CHECK(connect(fd, (struct sockaddr *)&c->addr, sizeof c->addr));
    switch ((n = read(fd, buf, sizeof buf))) {
    case -1: goto fail;
    case 0: break;
    default: cb(buf[0] == 'x' ? n : -n);
    }
#ifdef DEBUG
    log_msg("read %d" PRIu64, n);
#endif
    for (int i = 0; i < 4 && conns[i]; i++) { if (!conns[i]->fd) continue; }
    if (fork() == 0) { close(fd); execl("/bin/true", "true", NULL); _exit(1); }
    return fd;
fail:
    close(fd);
    return -1;
}
"#;

#[test]
fn realistic_program() {
    check(
        PROGRAM,
        expect![[r#"
        fn serve params=2 locals=[_0:c, _1:cb, _2:fd, _3:n, _4:buf, _5:$0, _6:i, _7:$1]
          bb0:
            _2 = call socket(const AF_INET, const SOCK_STREAM, 0)
            _4 = ""
            _5 = call connect(_2, &_0.*.addr, expr())
            eval call CHECK(_5)
            _3 = call read(_2, _4, expr(_4))
            if _3 == -1 then bb1 else bb5
          bb1:
            goto bb6
          bb2:
            goto bb4
          bb3:
            eval call cb(expr(expr(_4[], 120), _3, expr(_3)))
            goto bb4
          bb4:
            if ? then bb7 else bb8
          bb5:
            if _3 == 0 then bb2 else bb3
          bb6:
            eval call close(_2)
            return -1
          bb7:
            eval call log_msg("read %d", _3)
            goto bb8
          bb8:
            _6 = 0
            goto bb9
          bb9 (loop head):
            if _6 < 4 then bb13 else bb12
          bb10:
            if !(global conns[].*.fd) then bb14 else bb15
          bb11:
            _6 = expr(_6)
            goto bb9
          bb12:
            _7 = call fork()
            if _7 == 0 then bb16 else bb17
          bb13:
            if global conns[] then bb10 else bb12
          bb14:
            goto bb11
          bb15:
            goto bb11
          bb16:
            eval call close(_2)
            eval call execl("/bin/true", "true", const NULL)
            eval call _exit(1)
            goto bb17
          bb17:
            return _2
    "#]],
    );
}
