//! Snapshot tests of the Rust frontend: source in, IR dump out. Refresh the snapshots with
//! `UPDATE_EXPECT=1 cargo test --lib frontend::rust` and review the diff.

mod control;
mod edges;
mod imports;
mod positions;
mod robustness;
mod values;

use expect_test::{expect, Expect};

use super::lower;

fn check(src: &str, expected: Expect) {
    expected.assert_eq(&lower(src).to_string());
}

#[test]
fn seed_fork_match_with_question_mark() {
    check(
        r#"
use nix::unistd::{fork, ForkResult};
use std::net::TcpStream;
fn main() -> std::io::Result<()> {
    let stream = TcpStream::connect("127.0.0.1:2181")?;
    match unsafe { fork() } {
        Ok(ForkResult::Child) => { drop(stream); std::process::exit(0) }
        Ok(ForkResult::Parent { child }) => { loop { use_it(&stream, child); } }
        Err(e) => panic!("fork: {e}"),
    }
}
"#,
        expect![[r#"
            fn main params=0 locals=[_0:stream, _1:$0, _2:$1, _3:$2, _4:child, _5:e]
              bb0:
                _1 = call std::net::TcpStream::connect("127.0.0.1:2181")
                if let Err(_) = _1 then bb1 else bb2
              bb1:
                return
              bb2:
                _0 = _1
                _3 = call nix::unistd::fork()
                if let Ok(Child) = _3 then bb5 else bb4
              bb3:
                scope_end _0
                return _2
              bb4:
                if let Ok(Parent(_4)) = _3 then bb7 else bb6
              bb5:
                eval call drop(_0)
                _2 = call std::process::exit(0)
                goto bb3
              bb6:
                if let Err(_5) = _3 then bb11 else bb10
              bb7:
                goto bb8
              bb8 (loop head):
                eval call use_it(&_0, _4)
                goto bb8
              bb9:
                scope_end _4
                goto bb3
              bb10:
                unreachable
              bb11:
                _2 = call panic!("fork: {e}", _5)
                unreachable
              bb12:
                scope_end _5
                goto bb3
        "#]],
    );
}

#[test]
fn seed_libc_fork_compared_to_zero() {
    check(
        r#"
fn other() { let s = std::os::unix::net::UnixStream::connect("/tmp/s").unwrap(); if unsafe { libc::fork() } == 0 { std::thread::sleep(std::time::Duration::from_secs(1)); } s.shutdown(std::net::Shutdown::Both).ok(); }
"#,
        expect![[r#"
            fn other params=0 locals=[_0:s, _1:$0, _2:$1, _3:$2, _4:$3]
              bb0:
                _1 = call std::os::unix::net::UnixStream::connect("/tmp/s")
                _0 = method unwrap(_1)
                _2 = call libc::fork()
                if _2 == 0 then bb1 else bb2
              bb1:
                _3 = call std::time::Duration::from_secs(1)
                eval call std::thread::sleep(_3)
                goto bb2
              bb2:
                _4 = method shutdown(_0, const std::net::Shutdown::Both)
                eval method ok(_4)
                scope_end _0
                return
        "#]],
    );
}

#[test]
fn methods_traits_modules_and_nested_functions() {
    check(
        r#"
struct Server;
impl Server {
    fn run(&mut self, n: u32) { self.serve(n); Self::helper(); }
}
impl<T> Handler for Wrapper<T> { fn handle(self) {} }
trait Spawn { fn spawn(&self) { fork_child(self) } fn required(&self); }
mod inner { fn hidden() { fn nested(x: i32) {} nested(1); } }
"#,
        expect![[r#"
            fn Server::run params=2 locals=[_0:self, _1:n]
              bb0:
                eval method serve(_0, _1)
                eval call Server::helper()
                scope_end _1
                return
            fn Wrapper::handle params=1 locals=[_0:self]
              bb0:
                scope_end _0
                return
            fn Spawn::spawn params=1 locals=[_0:self]
              bb0:
                eval call fork_child(_0)
                return
            fn hidden params=0 locals=[]
              bb0:
                eval call nested(1)
                return
            fn nested params=1 locals=[_0:x]
              bb0:
                scope_end _0
                return
        "#]],
    );
}
