package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
	"github.com/mailtriage/mailtriage/internal/hostileimap"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// recordedTerminal is what the console may write to a real terminal: the
// renderer's own control sequences (cursor moves, erasures, scrolling,
// private modes, the keyboard protocol) and SGR attributes without colour
// (the "none" theme). Anything else in the recording came from a mail, a
// server or a gateway: an OSC (8, 52, a title), DCS, APC, PM or SOS, a C1
// control, a colour, a query that makes the terminal answer (DSR, window
// reports), a bidi or invisible character.
var recordedTerminal = uitest.Policy{
	SGR: func(p int) bool { return p == 39 || p == 49 || uitest.MonoScreen.SGR(p) },
	CSI: rendererCSI.MatchString,
	ESC: func(seq string) bool {
		return seq == "\x1b7" || seq == "\x1b8" || seq == "\x1b=" || seq == "\x1b>" || seq == "\x1bM"
	},
	OSC:      func(data string) bool { return data == "2;mailtriage" || data == "2;" }, // the window title the console sets and clears
	Controls: "\r\b\t",
}

// rendererCSI matches the control sequences bubbletea's renderer writes:
// cursor position and movement, erasing, inserting and deleting, repeat,
// scrolling and margins; private modes set, reset and queried; the
// keyboard protocols (kitty's CSI u, xterm's modifyOtherKeys).
var rendererCSI = regexp.MustCompile("^\x1b\\[(" +
	"[0-9;]*[ABCDEFGHJKLMPSTX@bd`r]" +
	"|\\?[0-9;]*[hl]|\\?[0-9;]*\\$p|\\?[0-9;]*W" +
	"|[?<>=][0-9;]*u|>[0-9;]*m)$")

// The console runs under script(1) against a hostile IMAP server and
// gateway emulators that poison every string: the analyst walks the list,
// folder info, a message, Mimecast (2) and FortiMail (3), and every byte
// the console wrote to the terminal is checked. Nothing foreign may be in
// the recording.
func TestHostileServersUnderARecordingTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		if os.Getenv("MAILTRIAGE_REQUIRE_TMUX") == "1" {
			t.Fatal("script (bsdutils) is not installed (MAILTRIAGE_REQUIRE_TMUX=1)")
		}
		t.Skip("script (bsdutils) is not installed; skipping")
	}
	imapSrv := hostileimap.Start(t, hostileimap.Corpus()...)
	mc := mimecasttest.New(mimecasttest.Options{Poison: true})
	t.Cleanup(mc.Close)
	mc.Seed(mimecasttest.SampleData(time.Now()))
	fm := fortimailtest.New(fortimailtest.Options{Poison: true})
	t.Cleanup(fm.Close)
	cred := mc.Credentials()
	dir := t.TempDir()
	cfg := writeConfig(t, fmt.Sprintf(`audit_log = %q
theme = "none"
[[accounts]]
name = "evil"
imap = "imap://%s"
tls = "none"
username = "u"
password_env = "E2E_IMAP_PASSWORD"

[mimecast]
base_url = %q
auth = "hmac"
app_id = %q
app_key_env = "MC_APP_KEY"
access_key = %q
secret_key_env = "MC_SECRET_KEY"

[fortimail]
url = %q
username = %q
password_env = "FM_PASSWORD"
`, filepath.Join(dir, "audit.jsonl"), imapSrv.Addr, mc.URL(), cred.AppID, cred.AccessKey, fm.URL(), fm.Username()))
	env := []string{"E2E_IMAP_PASSWORD=pw", "MC_APP_KEY=" + cred.AppKey, "MC_SECRET_KEY=" + cred.SecretKey, "FM_PASSWORD=" + fm.Password()}
	logPath := filepath.Join(dir, "typescript")
	term := runProgram(t, env, "script", "-q", "-f", "-c", joinQuoted([]string{binary, "--config", cfg}), logPath)

	term.waitFor("evil │ INBOX")
	term.waitFor("Wire ⟨OSC 8⟩")
	term.keys("i")
	term.waitFor("Folder INBOX")
	// Escape and the next key apart: together a terminal reads them as alt+key.
	term.keys("Escape")
	term.waitGone("Folder INBOX")
	term.keys("G") // the message whose subject is full of escapes
	term.keys("Enter")
	term.waitFor("Summary", "ceo@evil.example", "Wire ⟨OSC 8⟩")
	for range 7 { // every evidence tab
		before := term.screen()
		term.keys("]")
		term.waitChange(before)
	}
	term.keys("Escape")
	term.waitGone("Summary")
	// A folder whose name decodes to SGR: opened from the sidebar, then
	// its information (the overlay's title is the name).
	term.keys("Tab", "j")
	term.keys("Enter")
	term.waitFor("evil │ ⟨CSI 31m⟩Red⟨CSI 0m⟩")
	term.keys("i")
	term.waitFor("any key closes") // the title is checked in the recording
	term.keys("Escape")
	term.waitGone("any key closes")
	term.keys("2")
	term.waitFor("[Policies]", "⟨OSC 8⟩")
	term.keys("Enter")
	term.waitFor("Policy ⟨OSC 8⟩")
	term.keys("Escape")
	term.waitGone("Policy ⟨OSC 8⟩")
	term.keys("e")
	term.waitFor("Edit policy ⟨OSC 8⟩")
	term.keys("Tab")
	term.typeText("x")
	term.keys("Escape")
	term.waitGone("Edit policy")
	term.keys("3")
	term.waitFor("Domains", "⟨OSC 8⟩")
	term.keys("Tab")
	term.waitFor("Session action")
	term.keys("Enter")
	term.waitFor("Session profiles ›")
	term.keys("e")
	term.waitFor("Edit session profile")
	term.keys("Tab")
	term.typeText("1")
	term.keys("Escape")
	term.waitGone("Edit session profile")
	term.keys("1")
	term.waitFor("evil │ ⟨CSI 31m⟩Red")
	term.keys("q")
	term.waitFor("EXITED 0")

	rec, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rec), "⟨OSC 8⟩") {
		t.Fatalf("the recording holds no marker: %d bytes, not the console's screens", len(rec))
	}
	if bad := uitest.Foreign(string(rec), recordedTerminal); len(bad) > 0 {
		t.Fatalf("the console wrote foreign bytes to the terminal (%d bytes recorded): %q", len(rec), bad)
	}
}

// waitChange reads the screen until it differs from before.
func (term *terminal) waitChange(before string) {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for term.screen() == before {
		if time.Now().After(deadline) {
			term.t.Fatalf("the screen never changed from:\n%s", before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The recording's policy passes what the renderer writes and names what
// only content can have brought.
func TestRecordedTerminalPolicy(t *testing.T) {
	own := "\x1b[?1049h\x1b[?25l\x1b[?2026$p\x1b[>4;2m\x1b[>1u\x1b[1;1H\x1b[2K\x1b[5X\x1b[3b\x1b[12`\x1b[4d\x1b[1;40r\x1b[2S\x1b[3P\x1b]2;mailtriage\x07\x1b[7mx\x1b[m\r\n"
	if bad := uitest.Foreign(own, recordedTerminal); len(bad) > 0 {
		t.Fatalf("the renderer's own output was reported: %q", bad)
	}
	for _, s := range []string{"\x1b[6n", "\x1b[21t", "\x1b[c", "\x1b]2;pwned\x07", "\x1b]8;;x\x07", "\x1b[31m", "\x1bPq\x1b\\", "\u009b2J", "\u202e"} {
		if len(uitest.Foreign(s, recordedTerminal)) == 0 {
			t.Errorf("%q passed as the console's own", s)
		}
	}
}
