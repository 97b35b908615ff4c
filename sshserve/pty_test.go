package sshserve

import (
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/creack/pty"
)

// keyModel hands every key the program reads to the test.
type keyModel struct{ keys chan<- tea.KeyPressMsg }

func (m keyModel) Init() tea.Cmd { return nil }

func (m keyModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		m.keys <- k
	}
	return m, nil
}

func (m keyModel) View() tea.View { return tea.NewView("") }

// escapeTimeout is how long Bubble Tea waits after a lone ESC for the rest
// of a sequence (ultraviolet's DefaultEscTimeout).
const escapeTimeout = 50 * time.Millisecond

// The console runs on a real PTY now, and the PTY does not make the
// lone-ESC translation unnecessary: Bubble Tea reading a terminal still
// takes a lone ESC as the esc key only after its escape timeout, every
// time, while the CSI u form that loneEsc sends is the esc key at once.
func TestOnAPTYALoneEscStillWaitsForTheEscapeTimeout(t *testing.T) {
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no PTY here: %v", err)
	}
	defer ptm.Close()
	defer pts.Close()
	keys := make(chan tea.KeyPressMsg, 1)
	p := tea.NewProgram(keyModel{keys},
		tea.WithInput(pts), // a terminal: Bubble Tea puts it in raw mode
		tea.WithOutput(io.Discard),
		tea.WithEnvironment([]string{"TERM=xterm-256color", "SSH_TTY=" + pts.Name()}),
		tea.WithWindowSize(80, 24),
		tea.WithoutSignalHandler(),
	)
	ran := make(chan error, 1)
	go func() { _, err := p.Run(); ran <- err }()
	defer func() {
		p.Quit()
		if err := <-ran; err != nil {
			t.Errorf("program: %v", err)
		}
	}()

	// Each key is typed alone and waited for, as an analyst types.
	press := func(seq string) time.Duration {
		t.Helper()
		start := time.Now()
		if _, err := io.WriteString(ptm, seq); err != nil {
			t.Fatal(err)
		}
		select {
		case k := <-keys:
			if k.Code != tea.KeyEscape {
				t.Fatalf("%q read as %v, want esc", seq, k)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: no key within 10s", seq)
		}
		return time.Since(start)
	}
	press("\x1b[27u") // the program is reading
	for range 3 {
		if d := press("\x1b"); d < escapeTimeout {
			t.Fatalf("a lone ESC on a PTY was the esc key after %s, before the escape timeout: the translation could go", d)
		}
	}
	// Below the timeout at least once in five tries shows it is not
	// waited for (a loaded machine may delay any single one).
	fastest := time.Hour
	for range 5 {
		fastest = min(fastest, press("\x1b[27u"))
	}
	if fastest >= escapeTimeout {
		t.Fatalf("the CSI u esc key took at least %s every time", fastest)
	}
	t.Logf("CSI u esc key: fastest %s", fastest)
}

// Every PTY descriptor the server holds while consoles run is
// non-blocking: a session waiting for a key is parked in Go's poller, not
// in read(2) on a thread of its own (see pty.go for why that matters).
// The check looks at the process's own descriptors, as the kernel sees
// them, after the consoles have read and drawn.
func TestSessionsHoldNoBlockingPTYDescriptor(t *testing.T) {
	f := start(t, nil)
	for _, user := range []string{"ann", "bob"} {
		tm := f.login("viewer", user, 100, 30)
		tm.press("j")
		tm.waitFor("Nov")
	}
	ptys := 0
	for fd, path := range ptyDescriptors(t) {
		ptys++
		if !nonblocking(t, fd) {
			t.Errorf("fd %s (%s) is in blocking mode: each read of it ties up an OS thread", fd, path)
		}
	}
	// Two sessions: each has a master, the library's slave handle and
	// the console's own.
	if ptys < 6 {
		t.Fatalf("found %d PTY descriptors, want at least 6 for two sessions", ptys)
	}
}

// ptyDescriptors maps this process's open descriptors on PTYs (either
// side) to their paths, leaving out standard input, output and error:
// they are the terminal the tests run in, if any, not the server's.
func ptyDescriptors(t *testing.T) map[string]string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	found := map[string]string{}
	for _, e := range entries {
		if n, _ := strconv.Atoi(e.Name()); n <= 2 {
			continue
		}
		path, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // closed since the listing
		}
		if path == "/dev/ptmx" || strings.HasPrefix(path, "/dev/pts/") {
			found[e.Name()] = path
		}
	}
	return found
}

// nonblocking reads O_NONBLOCK from the descriptor's flags in
// /proc/self/fdinfo (octal), without touching the descriptor itself.
func nonblocking(t *testing.T, fd string) bool {
	t.Helper()
	info, err := os.ReadFile("/proc/self/fdinfo/" + fd)
	if err != nil {
		t.Fatalf("fdinfo %s: %v", fd, err)
	}
	for _, line := range strings.Split(string(info), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			if err != nil {
				t.Fatalf("fdinfo %s flags %q: %v", fd, v, err)
			}
			return flags&syscall.O_NONBLOCK != 0
		}
	}
	t.Fatalf("fdinfo %s has no flags line", fd)
	return false
}

// The console never moves the cursor with tab characters: they land
// right only on a terminal whose tab stops are every 8 columns, and the
// analyst's terminal at the other end is not known (see noTabMoves).
func TestTheConsoleNeverMovesByTabs(t *testing.T) {
	f := start(t, nil)
	tm := f.login("viewer", "ann", 160, 40)
	for _, k := range []string{"j", "j", "j", "k", "\r"} {
		tm.press(k)
		if k == "\r" {
			tm.waitFor("Summary")
		} else {
			tm.waitFor("Nov")
		}
	}
	tm.mu.Lock()
	out := string(tm.out)
	tm.mu.Unlock()
	if n := strings.Count(out, "\t"); n > 0 {
		t.Fatalf("%d tab characters in the console's output", n)
	}
}
