//! Text for the console's `HELP <command>` and `HELP @group`, in the
//! style of redis-cli's help output.
