//! The API catalog: which calls open, close, shut down, fork, exec, exit or block.
//!
//! The models are data in `lints/api/*.toml`, embedded at build time; user config adds more
//! in the same shape. The analysis asks the catalog what a resolved callee does and never
//! names an API itself.

use std::collections::HashMap;

use serde::Deserialize;

use crate::ir::Language;

/// The models shipped with fdlint, as (file name, text).
pub const BUILTIN_MODELS: &[(&str, &str)] = &[
    ("c-posix.toml", include_str!("../lints/api/c-posix.toml")),
    ("c-zookeeper.toml", include_str!("../lints/api/c-zookeeper.toml")),
    ("rust-std.toml", include_str!("../lints/api/rust-std.toml")),
    ("rust-nix.toml", include_str!("../lints/api/rust-nix.toml")),
    ("rust-libc.toml", include_str!("../lints/api/rust-libc.toml")),
    ("rust-fork.toml", include_str!("../lints/api/rust-fork.toml")),
    ("rust-zookeeper.toml", include_str!("../lints/api/rust-zookeeper.toml")),
    ("rust-socket2.toml", include_str!("../lints/api/rust-socket2.toml")),
    ("c-hiredis.toml", include_str!("../lints/api/c-hiredis.toml")),
    ("c-libpq.toml", include_str!("../lints/api/c-libpq.toml")),
    ("c-mysql.toml", include_str!("../lints/api/c-mysql.toml")),
    ("c-rdkafka.toml", include_str!("../lints/api/c-rdkafka.toml")),
    ("rust-tokio.toml", include_str!("../lints/api/rust-tokio.toml")),
    ("rust-redis.toml", include_str!("../lints/api/rust-redis.toml")),
    ("rust-postgres.toml", include_str!("../lints/api/rust-postgres.toml")),
    ("rust-mysql.toml", include_str!("../lints/api/rust-mysql.toml")),
    ("rust-daemonize.toml", include_str!("../lints/api/rust-daemonize.toml")),
];

/// What a call does, as far as fdlint is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Returns a new connection.
    Open,
    /// Closes (drops) its first argument in the calling process.
    Close,
    /// Ends the connection of its first argument for every process that shares it.
    Shutdown,
    /// Marks its first argument as a listening socket.
    Listen,
    /// Splits the process in two.
    Fork,
    /// Replaces the process image.
    Exec,
    /// Ends the process.
    Exit,
    /// May wait for a long time: the process keeps running past it.
    Blocking,
    /// Returns at once and keeps nothing.
    Quick,
    /// Sets close-on-exec on its first argument when `cloexec_flag` is among its arguments
    /// (`fcntl(fd, F_SETFD, FD_CLOEXEC)`).
    SetCloexec,
    /// The result holds what the receiver held (`unwrap`, `expect`).
    Passthrough,
    /// Closes every descriptor of the process from some number up (`closefrom`).
    CloseAll,
    /// Starts a thread (or a runtime of threads) in the calling process.
    SpawnThread,
    /// Waits for the thread its first argument holds to end (`join`, `pthread_join`).
    Join,
    /// Runs a program in a new child (fork and exec in one call): the caller goes on.
    Spawn,
    /// Forks and ends the parent at once; the process goes on as the child (`daemon`).
    Daemon,
    /// Forks a child that borrows the parent's memory until it execs or exits: the child can
    /// do nothing else, so it owes nothing (`vfork`).
    Vfork,
    /// Its first argument (a collection) holds the other arguments from now on (`push`).
    Store,
}

impl Effect {
    /// A call with this effect is where FDL001-FDL004 are found: every finding is about what
    /// a process holds when it splits in two or runs another program.
    pub fn makes_findings(self) -> bool {
        matches!(self, Effect::Fork | Effect::Vfork | Effect::Exec | Effect::Spawn | Effect::Daemon)
    }
}

/// One API model: a set of names and what calling them does.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiModel {
    pub names: Vec<String>,
    pub effect: Effect,
    /// For `open`: what kind of connection, for messages ("socket", "ZooKeeper session").
    #[serde(default)]
    pub what: Option<String>,
    /// For `open`: a library thread serves the connection in the process that opened it.
    #[serde(default)]
    pub background_thread: bool,
    /// For `open`: the connection is a listening socket.
    #[serde(default)]
    pub listening: bool,
    /// For `open`: the descriptor is always close-on-exec.
    #[serde(default)]
    pub cloexec: bool,
    /// For `open` and `set_cloexec`: the flag that, among the arguments, makes the
    /// descriptor close-on-exec.
    #[serde(default)]
    pub cloexec_flag: Option<String>,
    /// The type the result has, so that methods on it can be told apart
    /// (`redis::Client::open` returns a `redis::Client`).
    #[serde(default)]
    pub returns: Option<String>,
    /// For methods: the model applies only to a receiver of this type.
    #[serde(default)]
    pub receiver: Option<String>,
    /// For `spawn_thread`: the thread's handle is written through this argument
    /// (`pthread_create(&thread, ...)`) rather than returned.
    #[serde(default)]
    pub handle_arg: Option<usize>,
    /// For `spawn_thread`: dropping the handle stops the threads (a tokio `Runtime`).
    #[serde(default)]
    pub ends_on_drop: bool,
    /// For `open`: the argument (0-based) that holds the flags `cloexec_flag` goes into, so
    /// a fix-it can add it.
    #[serde(default)]
    pub flags_arg: Option<usize>,
    /// For `open`: the connection is a bare socket, not a client handle, so fix-its may
    /// close or shut it down with the language's own calls.
    #[serde(default)]
    pub socket: Option<SocketKind>,
}

/// How a bare socket is held, which decides how a fix-it closes or shuts it down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SocketKind {
    /// An integer descriptor: C's `close(fd)` and `shutdown(fd, SHUT_RDWR)`.
    Descriptor,
    /// A value that closes its socket when dropped and has `shutdown(Shutdown::Both)`
    /// (`std::net::TcpStream`, `socket2::Socket`).
    Stream,
}

/// A file of models for one language: a `lints/api/*.toml` file, or an `[[api]]` entry of a
/// user's config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    language: LanguageName,
    #[serde(default)]
    function: Vec<ApiModel>,
    #[serde(default)]
    method: Vec<ApiModel>,
    /// Attributes on a function that give its body an effect on entry (`#[tokio::main]`).
    #[serde(default)]
    attribute: Vec<ApiModel>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguageName {
    C,
    Rust,
}

impl From<LanguageName> for Language {
    fn from(name: LanguageName) -> Self {
        match name {
            LanguageName::C => Language::C,
            LanguageName::Rust => Language::Rust,
        }
    }
}

/// Per language, by name: a lookup by `&str` builds no key (the analysis asks at every call),
/// and foldhash hashes both keys for a fraction of SipHash's cost.
type Table<T> =
    HashMap<Language, HashMap<String, T, foldhash::fast::RandomState>, foldhash::fast::RandomState>;

/// Models looked up by language and name.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    functions: Table<ApiModel>,
    /// Several models may share a method name, told apart by their receiver type.
    methods: Table<Vec<ApiModel>>,
    attributes: Table<ApiModel>,
}

impl Catalog {
    /// The catalog of the models shipped with fdlint.
    pub fn builtin() -> Catalog {
        let mut catalog = Catalog::default();
        for (name, text) in BUILTIN_MODELS {
            // A broken built-in model is a bug in fdlint itself, caught by the test suite.
            catalog.add_models(text).unwrap_or_else(|error| panic!("lints/api/{name}: {error}"));
        }
        catalog
    }

    /// Adds the models of one TOML document (a `lints/api` file or a user's config section).
    pub fn add_models(&mut self, text: &str) -> Result<(), toml::de::Error> {
        self.add_model_file(toml::from_str(text)?);
        Ok(())
    }

    /// Adds the models of one parsed file; a later model of a name replaces an earlier one, so
    /// a user's model overrides the built-in one.
    pub fn add_model_file(&mut self, file: ModelFile) {
        let language = Language::from(file.language);
        for model in file.function {
            insert_all(&mut self.functions, language, model);
        }
        for model in file.method {
            for name in &model.names {
                let models =
                    self.methods.entry(language).or_default().entry(name.clone()).or_default();
                models.retain(|known| known.receiver != model.receiver);
                models.push(model.clone());
            }
        }
        for model in file.attribute {
            insert_all(&mut self.attributes, language, model);
        }
    }

    /// The model of a free function by its resolved path, trying each glob-imported prefix
    /// when the path itself is unknown.
    pub fn function(&self, language: Language, path: &str, globs: &[String]) -> Option<&ApiModel> {
        let functions = self.functions.get(&language)?;
        let direct = functions.get(path);
        direct.or_else(|| globs.iter().find_map(|glob| functions.get(&format!("{glob}::{path}"))))
    }

    /// The model of a method by name, preferring one made for the receiver's type; a model
    /// that names a receiver type never applies to a receiver of unknown type.
    pub fn method(
        &self,
        language: Language,
        name: &str,
        receiver: Option<&str>,
    ) -> Option<&ApiModel> {
        let models = self.methods.get(&language)?.get(name)?;
        let typed =
            receiver.and_then(|ty| models.iter().find(|m| m.receiver.as_deref() == Some(ty)));
        typed.or_else(|| models.iter().find(|m| m.receiver.is_none()))
    }

    pub fn attribute(&self, language: Language, path: &str) -> Option<&ApiModel> {
        self.attributes.get(&language)?.get(path)
    }

    /// The names of the functions and methods whose call can be where a finding is made:
    /// those that fork, exec, spawn a program or daemonise.
    pub fn finding_sites(&self, language: Language) -> impl Iterator<Item = &str> {
        let functions = self.functions.get(&language).into_iter().flatten();
        let functions = functions.filter(|(_, model)| model.effect.makes_findings());
        let methods = self.methods.get(&language).into_iter().flatten();
        let methods =
            methods.filter(|(_, models)| models.iter().any(|m| m.effect.makes_findings()));
        functions.map(|(name, _)| name.as_str()).chain(methods.map(|(name, _)| name.as_str()))
    }
}

fn insert_all(table: &mut Table<ApiModel>, language: Language, model: ApiModel) {
    let table = table.entry(language).or_default();
    for name in &model.names {
        table.insert(name.clone(), model.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_models_parse_and_answer() {
        let catalog = Catalog::builtin();
        let fork = catalog.function(Language::Rust, "fork", &["nix::unistd".into()]);
        assert_eq!(fork.map(|m| m.effect), Some(Effect::Fork));
        assert_eq!(
            catalog.function(Language::C, "socket", &[]).map(|m| m.effect),
            Some(Effect::Open)
        );
        assert!(catalog.function(Language::C, "nix::unistd::fork", &[]).is_none());
        let zk = catalog.function(Language::C, "zookeeper_init", &[]);
        assert!(zk.is_some_and(|m| m.background_thread));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let mut catalog = Catalog::default();
        let error = catalog.add_models(
            "language = \"c\"\n[[function]]\nnames=[\"x\"]\neffect=\"open\"\nbackground=true\n",
        );
        assert!(error.is_err());
    }
}
