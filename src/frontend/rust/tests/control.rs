//! Control flow: `if`, `match`, loops, early exits, `?` and scope ends.

use expect_test::expect;

use super::check;

#[test]
fn if_let_on_fork_in_unsafe_block() {
    check(
        r#"
use nix::unistd::{fork, ForkResult};
fn f(conn: Conn) {
    if let Ok(ForkResult::Child) = unsafe { fork() } {
        let local = conn;
        child_work();
    } else if !ready() || done {
        parent_work();
    }
}
"#,
        expect![[r#"
            fn f params=1 locals=[_0:conn, _1:$0, _2:local, _3:$1]
              bb0:
                _1 = call nix::unistd::fork()
                if let Ok(Child) = _1 then bb1 else bb3
              bb1:
                _2 = _0
                eval call child_work()
                scope_end _2
                goto bb2
              bb2:
                scope_end _0
                return
              bb3:
                _3 = call ready()
                if _3 then bb6 else bb4
              bb4:
                eval call parent_work()
                goto bb5
              bb5:
                goto bb2
              bb6:
                if global done then bb4 else bb5
        "#]],
    );
}

#[test]
fn match_on_libc_fork_values() {
    check(
        r#"
fn f() -> i32 {
    let pid = match unsafe { libc::fork() } {
        0 => { child(); 0 }
        -1 => return -1,
        pid if pid > 100 => pid,
        pid @ 1..=100 | pid => { log(pid); pid }
    };
    pid
}
"#,
        expect![[r#"
            fn f params=0 locals=[_0:pid, _1:$0, _2:pid, _3:pid, _4:pid, _5:$1]
              bb0:
                _1 = call libc::fork()
                if let 0 = _1 then bb3 else bb2
              bb1:
                _5 = _0
                scope_end _0
                return _5
              bb2:
                if let -1 = _1 then bb5 else bb4
              bb3:
                eval call child()
                _0 = 0
                goto bb1
              bb4:
                if let _2 = _1 then bb9 else bb7
              bb5:
                return -1
              bb6:
                goto bb1
              bb7:
                if let _3 | _4 = _1 then bb11 else bb10
              bb8:
                _0 = _2
                scope_end _2
                goto bb1
              bb9:
                if _2 > 100 then bb8 else bb7
              bb10:
                unreachable
              bb11:
                eval call log(_4)
                _0 = _4
                scope_end _4
                scope_end _3
                goto bb1
        "#]],
    );
}

#[test]
fn loops_break_continue_and_scope_ends() {
    check(
        r#"
fn f(listener: Listener) {
    let outer = open();
    'accept: loop {
        let conn = listener.accept();
        if conn.is_none() { continue; }
        for item in conn.items() {
            let x = item;
            if x.bad() { break 'accept; }
        }
        while let Some(job) = queue.pop() {
            let y = job;
            if y.done() { continue; }
        }
        let value = loop { break 7; };
    }
}
"#,
        expect![[r#"
            fn f params=1 locals=[_0:listener, _1:outer, _2:conn, _3:$0, _4:$1, _5:item, _6:x, _7:$2, _8:$3, _9:job, _10:y, _11:$4, _12:value]
              bb0:
                _1 = call open()
                goto bb1
              bb1 (loop head):
                _2 = method accept(_0)
                _3 = method is_none(_2)
                if _3 then bb3 else bb4
              bb2:
                scope_end _1
                scope_end _0
                return
              bb3:
                scope_end _2
                goto bb1
              bb4:
                _4 = method items(_2)
                goto bb6
              bb5:
                goto bb4
              bb6 (loop head):
                if ? then bb7 else bb8
              bb7:
                _5 = expr(_4)
                _6 = _5
                _7 = method bad(_6)
                if _7 then bb9 else bb10
              bb8:
                goto bb12
              bb9:
                scope_end _6
                scope_end _5
                scope_end _2
                goto bb2
              bb10:
                scope_end _6
                scope_end _5
                goto bb6
              bb11:
                goto bb10
              bb12 (loop head):
                _8 = method pop(global queue)
                if let Some(_9) = _8 then bb13 else bb14
              bb13:
                _10 = _9
                _11 = method done(_10)
                if _11 then bb15 else bb16
              bb14:
                goto bb18
              bb15:
                scope_end _10
                scope_end _9
                goto bb12
              bb16:
                scope_end _10
                scope_end _9
                goto bb12
              bb17:
                goto bb16
              bb18 (loop head):
                _12 = 7
                goto bb19
              bb19:
                scope_end _12
                scope_end _2
                goto bb1
              bb20:
                goto bb18
        "#]],
    );
}

#[test]
fn question_mark_and_returns_end_live_locals() {
    check(
        r#"
fn f(path: &str) -> Result<TcpStream> {
    let first = open(path)?;
    {
        let inner = first.try_clone()?;
        if inner.bad() { return Err(e); }
    }
    let second = open(path)?;
    second
}
"#,
        expect![[r#"
            fn f params=1 locals=[_0:path, _1:first, _2:$0, _3:inner, _4:$1, _5:$2, _6:second, _7:$3, _8:$4]
              bb0:
                _2 = call open(_0)
                if let Err(_) = _2 then bb1 else bb2
              bb1:
                return
              bb2:
                _1 = _2
                _4 = method try_clone(_1)
                if let Err(_) = _4 then bb3 else bb4
              bb3:
                scope_end _1
                return
              bb4:
                _3 = _4
                _5 = method bad(_3)
                if _5 then bb5 else bb6
              bb5:
                scope_end _3
                scope_end _1
                return expr(global e)
              bb6:
                scope_end _3
                _7 = call open(_0)
                if let Err(_) = _7 then bb8 else bb9
              bb7:
                goto bb6
              bb8:
                scope_end _1
                return
              bb9:
                _6 = _7
                _8 = _6
                scope_end _6
                scope_end _1
                return _8
        "#]],
    );
}

#[test]
fn labeled_block_value_and_dead_code() {
    check(
        r#"
fn f() {
    let v = 'b: { if c() { break 'b 1; } 2 };
    return;
    after_return();
}
"#,
        expect![[r#"
            fn f params=0 locals=[_0:v, _1:$0]
              bb0:
                _1 = call c()
                if _1 then bb2 else bb3
              bb1:
                scope_end _0
                return
              bb2:
                _0 = 1
                goto bb1
              bb3:
                _0 = 2
                goto bb1
              bb4:
                goto bb3
              bb5:
                eval call after_return()
                scope_end _0
                return
        "#]],
    );
}
