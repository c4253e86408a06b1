//! Operands, places and hoisted calls.

use expect_test::expect;

use super::{check, lower};
use crate::ir::{Rvalue, StmtKind};

#[test]
fn nested_calls_are_hoisted_in_order() {
    check(
        "void f(void) { close(socket(AF_INET, SOCK_STREAM, 0)); }",
        expect![[r#"
        fn f params=0 locals=[_0:$0]
          bb0:
            _0 = call socket(const AF_INET, const SOCK_STREAM, 0)
            eval call close(_0)
            return
    "#]],
    );
}

#[test]
fn places_through_fields_derefs_and_indexes() {
    check(
        "void f(struct ctx *c, int fds[2]) { close(c->zk_fd); close(c->inner.fd); close(fds[1]); close(*(int *)c); use(&c->fd); }",
        expect![[r#"
            fn f params=2 locals=[_0:c, _1:fds]
              bb0:
                eval call close(_0.*.zk_fd)
                eval call close(_0.*.inner.fd)
                eval call close(_1[])
                eval call close(_0.*)
                eval call use(&_0.*.fd)
                return
        "#]],
    );
}

#[test]
fn literals() {
    check(
        "void f(void) { use(0x10, 010, 1UL, -1, 'a', \"text\", 1.5, NULL, O_RDONLY | O_CLOEXEC, sizeof(int)); }",
        expect![[r#"
            fn f params=0 locals=[]
              bb0:
                eval call use(16, 8, 1, -1, 97, "text", ?, const NULL, expr(const O_RDONLY, const O_CLOEXEC), expr())
                return
        "#]],
    );
}

#[test]
fn compound_assignment_and_increment() {
    check(
        "void f(int a, int b) { a += b; a++; --b; g = a; }",
        expect![[r#"
        fn f params=2 locals=[_0:a, _1:b]
          bb0:
            _0 = expr(_0, _1)
            _0 = expr(_0)
            _1 = expr(_1)
            global g = _0
            return
    "#]],
    );
}

#[test]
fn calls_through_pointers_are_unknown() {
    check(
        "void f(struct s *s, int (*fp)(int)) { (*fp)(1); s->cb(s->fd); }",
        expect![[r#"
        fn f params=2 locals=[_0:s, _1:fp]
          bb0:
            eval call ?(1)
            eval call ?(_0.*.fd)
            return
    "#]],
    );
}

#[test]
fn several_declarators_and_initializer_lists() {
    check(
        "void f(void) { int a = 1, b, c = open(\"x\", 0); struct p q = { .fd = c, 2 }; }",
        expect![[r#"
        fn f params=0 locals=[_0:a, _1:b, _2:c, _3:q]
          bb0:
            _0 = 1
            _2 = call open("x", 0)
            _3 = expr(_2, 2)
            return
    "#]],
    );
}

#[test]
fn extern_declarations_in_a_body_name_globals() {
    check(
        "void f(void) { extern int g; int extern h, k; static int s = 1; g = open(); h = k; }",
        expect![[r#"
            fn f params=0 locals=[_0:s]
              bb0:
                _0 = 1
                global g = call open()
                global h = global k
                return
        "#]],
    );
}

#[test]
fn returned_call_is_hoisted() {
    check(
        "int f(int fd) { return dup(fd); }",
        expect![[r#"
        fn f params=1 locals=[_0:fd, _1:$0]
          bb0:
            _1 = call dup(_0)
            return _1
    "#]],
    );
}

#[test]
fn call_span_is_the_call_text() {
    let text = "int main(void) { int fd = socket(AF_INET, SOCK_STREAM, 0); close(fd); }";
    let file = lower(text);
    let calls: Vec<(&str, &str)> = file.functions[0]
        .blocks
        .iter()
        .flat_map(|block| &block.stmts)
        .filter_map(|stmt| match &stmt.kind {
            StmtKind::Assign { value: Rvalue::Call(call), .. }
            | StmtKind::Eval(Rvalue::Call(call)) => Some((
                &text[call.span.start..call.span.end],
                &text[call.callee_span.start..call.callee_span.end],
            )),
            _ => None,
        })
        .collect();
    assert_eq!(calls, [("socket(AF_INET, SOCK_STREAM, 0)", "socket"), ("close(fd)", "close")]);
}
