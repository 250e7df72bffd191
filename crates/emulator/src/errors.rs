//! Error replies with Redis 7.0's exact wording. Commands use these
//! constants or builders so that the same situation always reads the same.

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const SYNTAX: &str = "ERR syntax error";
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
pub const NO_SUCH_KEY: &str = "ERR no such key";
pub const INDEX_OUT_OF_RANGE: &str = "ERR index out of range";
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
pub const DB_INDEX_OUT_OF_RANGE: &str = "ERR DB index is out of range";
pub const NOT_POSITIVE: &str = "ERR value is out of range, must be positive";
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
pub const TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
pub const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";

/// Redis's `addReplyErrorFormat` clean-up: no CR/LF inside an error line.
pub fn sanitize(msg: &str) -> String {
    msg.trim_end_matches(['\r', '\n']).replace(['\r', '\n'], " ")
}

/// Bytes shown inside an error message, cut to `max` bytes like `%.128s`.
pub fn show(bytes: &[u8], max: usize) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(max)]).into_owned()
}

/// `ERR wrong number of arguments for 'get' command`
pub fn wrong_arity(fullname: &str) -> String {
    format!("ERR wrong number of arguments for '{fullname}' command")
}

/// `ERR unknown command 'foo', with args beginning with: 'a' 'b' `
pub fn unknown_command(argv: &[Vec<u8>]) -> String {
    let mut args = String::new();
    for a in argv.iter().skip(1) {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push('\'');
        args.push_str(&show(a, room));
        args.push_str("' ");
    }
    let name = argv.first().map(|n| show(n, 128)).unwrap_or_default();
    sanitize(&format!("ERR unknown command '{name}', with args beginning with: {args}"))
}

/// `ERR unknown subcommand 'foo'. Try CLIENT HELP.`
pub fn unknown_subcommand(container: &str, sub: &[u8]) -> String {
    sanitize(&format!("ERR unknown subcommand '{}'. Try {} HELP.", show(sub, 128), container.to_ascii_uppercase()))
}

/// `ERR invalid expire time in 'set' command`
pub fn invalid_expire(command: &str) -> String {
    format!("ERR invalid expire time in '{command}' command")
}
