//! Operands, places, calls, macros, closures, `let` shapes and spans.

use expect_test::expect;

use super::{check, lower};
use crate::ir::{Call, Rvalue, StmtKind};

#[test]
fn operands_and_places() {
    check(
        r#"
fn f(conn: Conn, (a, b): (i32, i32), _: u8) {
    let x = &conn.fd;
    let y = &mut *conn.inner;
    let z = conn.0[a + 1];
    let k = -1;
    let s = "text";
    let c = SOCK_STREAM;
    let g = GLOBAL_FD;
    let v = some_static;
    let t = (a, b as u64, [1, 2], Point { x: a, ..rest });
    let flag = a > 0 && check(b);
}
"#,
        expect![[r#"
            fn f params=4 locals=[_0:conn, _1:a, _2:b, _3:_, _4:x, _5:y, _6:z, _7:k, _8:s, _9:c, _10:g, _11:v, _12:t, _13:flag, _14:$0, _15:$1]
              bb0:
                _4 = &_0.fd
                _5 = &_0.inner.*
                _6 = _0.0[]
                _7 = -1
                _8 = "text"
                _9 = const SOCK_STREAM
                _10 = const GLOBAL_FD
                _11 = global some_static
                _12 = expr(_1, _2, expr(1, 2), expr(_1, global rest))
                if _1 > 0 then bb4 else bb2
              bb1:
                _14 = const true
                goto bb3
              bb2:
                _14 = const false
                goto bb3
              bb3:
                _13 = _14
                scope_end _13
                scope_end _12
                scope_end _11
                scope_end _10
                scope_end _9
                scope_end _8
                scope_end _7
                scope_end _6
                scope_end _5
                scope_end _4
                scope_end _3
                scope_end _2
                scope_end _1
                scope_end _0
                return
              bb4:
                _15 = call check(_2)
                if _15 then bb1 else bb2
        "#]],
    );
}

#[test]
fn let_shapes_and_shadowing() {
    check(
        r#"
fn f(opt: Option<i32>) {
    let x;
    let x = x;
    { let x = 1; }
    let (a, mut b) = pair();
    let Some(v) = opt else { return; };
    let _ = connect();
    let s: TcpStream = connect();
    b = a;
    b += v;
}
"#,
        expect![[r#"
            fn f params=1 locals=[_0:opt, _1:x, _2:x, _3:x, _4:$0, _5:a, _6:b, _7:v, _8:s]
              bb0:
                _2 = _1
                _3 = 1
                scope_end _3
                _4 = call pair()
                _5 = expr(_4)
                _6 = expr(_4)
                if let Some(_7) = _0 then bb1 else bb2
              bb1:
                eval call connect()
                _8 = call connect()
                _6 = _5
                _6 = expr(_6, _7)
                scope_end _8
                scope_end _7
                scope_end _6
                scope_end _5
                scope_end _2
                scope_end _1
                scope_end _0
                return
              bb2:
                scope_end _6
                scope_end _5
                scope_end _2
                scope_end _1
                scope_end _0
                return
              bb3:
                unreachable
        "#]],
    );
}

#[test]
fn closures_capture_mentioned_locals() {
    check(
        r#"
fn f(stream: TcpStream, other: i32) {
    let handle = std::thread::spawn(move || { let other = 1; stream.write(b"x"); println!("{}", other); });
    let g = |x: i32| x + other;
    let h = async move { stream.flush().await };
}
"#,
        expect![[r#"
            fn f params=2 locals=[_0:stream, _1:other, _2:handle, _3:g, _4:h]
              bb0:
                _2 = call std::thread::spawn(expr(_0, _1))
                _3 = expr(_1)
                _4 = expr(_0)
                scope_end _4
                scope_end _3
                scope_end _2
                scope_end _1
                scope_end _0
                return
        "#]],
    );
}

#[test]
fn macros_are_calls() {
    check(
        r#"
fn f(conn: Conn, n: usize) {
    println!("{conn:?} {}", n);
    assert!(n > 0, "n = {}", n);
    let v = vec![conn; n];
    let m = matches!(conn, Some(_));
    unreachable!();
    never();
}
"#,
        expect![[r#"
            fn f params=2 locals=[_0:conn, _1:n, _2:v, _3:m]
              bb0:
                eval call println!("{conn:?} {}", _0, _1)
                eval call assert!(expr(_1, 0), "n = {}", _1)
                _2 = call vec!(_0, _1)
                _3 = call matches!(_0)
                eval call unreachable!()
                unreachable
              bb1:
                eval call never()
                scope_end _3
                scope_end _2
                scope_end _1
                scope_end _0
                return
        "#]],
    );
}

/// Every call's span is exactly the call expression's text, and the callee span its path or
/// method name; also after other files were lowered on the same thread.
#[test]
fn call_spans_are_exact_byte_ranges() {
    let text = "/* ünïcode */ fn f() { let s = TcpStream::connect(addr).unwrap();\n s.shutdown(std::net::Shutdown::Both).ok(); println!(\"x {}\", g(1)); }";
    let _ = lower("fn earlier_file() { a(); b(); c(); }");
    let _ = lower("fn another() { x.y(z(w())); }");
    let mut seen = Vec::new();
    for function in lower(text).functions {
        for block in function.blocks {
            for stmt in block.stmts {
                if let StmtKind::Assign { value: Rvalue::Call(call), .. }
                | StmtKind::Eval(Rvalue::Call(call)) = stmt.kind
                {
                    seen.push(call_texts(text, &call));
                }
            }
        }
    }
    let expected = [
        ("TcpStream::connect(addr)", "TcpStream::connect"),
        ("TcpStream::connect(addr).unwrap()", "unwrap"),
        ("s.shutdown(std::net::Shutdown::Both)", "shutdown"),
        ("s.shutdown(std::net::Shutdown::Both).ok()", "ok"),
        ("g(1)", "g"),
        ("println!(\"x {}\", g(1));", "println"),
    ];
    let seen: Vec<(&str, &str)> = seen.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(seen, expected);
}

fn call_texts(text: &str, call: &Call) -> (String, String) {
    let whole = &text[call.span.start..call.span.end];
    let callee = &text[call.callee_span.start..call.callee_span.end];
    (whole.to_string(), callee.to_string())
}

/// A byte-order mark and a shebang line must not shift spans.
#[test]
fn spans_survive_bom_and_shebang() {
    let text = "\u{feff}#!/usr/bin/env run-cargo-script\nfn f() { g(); }";
    let file = lower(text);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let stmt = &file.functions[0].blocks[0].stmts[0];
    assert_eq!(&text[stmt.span.start..stmt.span.end], "g()");
}
