package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/mailtriage/mailtriage/backend/analysis"
)

// command is one (sub)command's flags and the usage --help prints. Every
// command parses its arguments through it, so --help and usage errors
// behave the same everywhere: --help prints the usage on stdout and exits
// 0; a usage error is one line on stderr and exit status 2.
type command struct {
	*flag.FlagSet
	name     string // as typed: "mailtriage pull"
	synopsis string // the line after "Usage: "
	about    string // what the command does, a sentence or two
	more     string // printed after the flags (notes, a list of commands); may be empty
}

// newCommand returns a command named name ("mailtriage pull") with an
// empty flag set that reports nothing itself.
func newCommand(name, synopsis, about string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &command{FlagSet: fs, name: name, synopsis: synopsis, about: about}
}

// parse parses args. ok false means the command is over and status is
// its exit status: --help printed the usage (0), or the arguments were
// wrong and that was said in one line (2).
func (c *command) parse(args []string, stdout, stderr io.Writer) (status int, ok bool) {
	err := c.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		c.printUsage(stdout)
		return 0, false
	default:
		return c.usageError(stderr, err), false
	}
}

// usageError reports a mistake in how the command was called, in one line
// that says where to look, and returns exit status 2.
func (c *command) usageError(stderr io.Writer, err error) int {
	// Arguments can be pasted from a mail: sanitize like anything else
	// bound for a terminal.
	fmt.Fprintf(stderr, "%s: %s (see %s --help)\n", c.name, analysis.SanitizeLine(err.Error()), c.name)
	return 2
}

// printUsage writes the synopsis, what the command does, the flags with
// their defaults and any notes.
func (c *command) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", c.synopsis, c.about)
	if hasFlags(c.FlagSet) {
		fmt.Fprint(w, "\nFlags:\n")
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		c.VisitAll(func(f *flag.Flag) { fmt.Fprintln(tw, flagLine(f)) })
		tw.Flush()
	}
	if c.more != "" {
		fmt.Fprintf(w, "\n%s", c.more)
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// flagLine is one row of the flag table: "  --limit int\tat most … (default 100)".
func flagLine(f *flag.Flag) string {
	typ, text := flag.UnquoteUsage(f)
	name := "  --" + f.Name
	if typ != "" {
		name += " " + typ
	}
	if !isZeroDefault(f) {
		text += fmt.Sprintf(" (default %s)", quoteDefault(f))
	}
	return name + "\t" + text
}

// isZeroDefault says whether a flag's default is its type's zero value,
// which is not worth printing.
func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "0s":
		return true
	}
	return false
}

// quoteDefault quotes string defaults so an empty-looking or spaced value
// reads unambiguously.
func quoteDefault(f *flag.Flag) string {
	if typ, _ := flag.UnquoteUsage(f); typ == "string" {
		return fmt.Sprintf("%q", f.DefValue)
	}
	return f.DefValue
}
