package message

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

func newModel(w, h int) *Model {
	c := &common.Common{Ctx: context.Background(), Styles: themes.NewPlainStyles(), Jobs: jobs.NewRunner(10), Now: time.Now}
	m := New(c, DefaultKeyMap())
	m.SetSize(w, h)
	return m
}

// open loads raw into a fresh message screen through a mailtest mailbox.
func open(t *testing.T, raw []byte, w, h int) (*Model, *mailtest.Mailbox) {
	t.Helper()
	mb := mailtest.New()
	mb.CloseEvents()
	uid := mb.Add("INBOX", mail.Envelope{}, raw)
	m := newModel(w, h)
	m.c.Remedy = uitest.Remedy(t)
	acct := common.Account{Name: "t", Mailbox: mb, MessageLimit: 1 << 20}
	uitest.Drive(m, m.Open(acct, mail.FolderRef{Name: "INBOX", UIDValidity: 1}, mail.Envelope{UID: uid}), nil)
	if m.err != nil {
		t.Fatalf("open: %v", m.err)
	}
	return m, mb
}

func corpusMessage(t *testing.T, folder, prefix string) []byte {
	t.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range msgs {
		if msg.Folder == folder && strings.HasPrefix(msg.File, prefix) {
			return msg.Raw
		}
	}
	t.Fatalf("no corpus message %s/%s", folder, prefix)
	return nil
}

// unsafeRune reports a character that must never reach the terminal from
// a mail: controls (but newline), bidi and other format characters, and
// the replacement for broken UTF-8.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case unicode.Is(unicode.Cf, r), r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

func assertSafe(t *testing.T, name, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: screen holds invalid UTF-8", name)
	}
	for i, r := range out {
		if unsafeRune(r) {
			t.Errorf("%s: unsafe rune %U at byte %d: %q", name, r, i, out[max(i-20, 0):min(i+20, len(out))])
			return
		}
	}
}

// Every message of the corpus — hostile ones included — renders in every
// mode without one unsafe character on screen.
func TestEveryCorpusMessageRendersSafely(t *testing.T) {
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range msgs {
		for _, width := range []int{80, 160} {
			m, _ := open(t, msg.Raw, width, 40)
			name := msg.Folder + "/" + msg.File
			for _, mode := range []struct{ raw, html bool }{{false, false}, {true, false}, {false, true}} {
				m.showRaw, m.showHTML = mode.raw, mode.html
				lines := m.renderLines()
				assertSafe(t, name, strings.Join(lines, "\n"))
				for i, l := range lines {
					if w := len([]rune(l)); w > width*2 {
						t.Errorf("%s: line %d is %d runes at width %d", name, i, w, width)
					}
				}
			}
		}
	}
}

func TestHostileHeadersShowMarkers(t *testing.T) {
	tests := []struct {
		folder, file string
		want         []string
	}{
		{"Quarantine", "006", []string{"⟨RLO⟩"}},
		{"INBOX", "006", []string{"⟨CSI 2J⟩", "⟨OSC 8⟩"}},
		{"INBOX", "011", []string{"⟨CSI"}},
		{"INBOX", "016", []string{"⟨NUL⟩", "⟨BEL⟩"}},
		{"Phishing reports", "019", []string{"⟨LSEP", "⟨PSEP⟩"}},
	}
	for _, tt := range tests {
		m, _ := open(t, corpusMessage(t, tt.folder, tt.file), 160, 60)
		out := strings.Join(m.renderLines(), "\n")
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s/%s: screen lacks %q:\n%s", tt.folder, tt.file, w, out)
			}
		}
	}
}

func TestReadingDoesNotMarkRead(t *testing.T) {
	raw := corpusMessage(t, "INBOX", "004")
	m, mb := open(t, raw, 120, 40)
	if mb.Seen("INBOX", m.env.UID) {
		t.Fatal("opening the message marked it read")
	}
	out := strings.Join(m.renderLines(), "\n")
	if !strings.Contains(out, "unread (opening it did not change that)") {
		t.Fatalf("state line missing:\n%s", out)
	}
	uitest.Drive(m, func() tea.Msg { return nil }, nil)
	_, cmd := m.Update(uitest.Key("r"))
	uitest.Drive(m, cmd, nil)
	if !mb.Seen("INBOX", m.env.UID) {
		t.Fatal("r did not mark the message read")
	}
}

func TestReplyToElsewhereIsFlagged(t *testing.T) {
	m, _ := open(t, corpusMessage(t, "INBOX", "004"), 120, 40)
	out := strings.Join(m.renderLines(), "\n")
	if !strings.Contains(out, "replies go to another domain") {
		t.Fatalf("Reply-To mismatch not flagged:\n%s", out)
	}
}

func TestRawHeadersToggle(t *testing.T) {
	m, _ := open(t, corpusMessage(t, "INBOX", "021"), 120, 40)
	_, _ = m.Update(uitest.Key("h"))
	out := strings.Join(m.renderLines(), "\n")
	if !strings.Contains(out, "Raw headers") || !strings.Contains(out, "Received: from") || !strings.Contains(out, "Authentication-Results:") {
		t.Fatalf("raw headers not shown:\n%s", out)
	}
	_, _ = m.Update(uitest.Key("h"))
	if strings.Contains(strings.Join(m.renderLines(), "\n"), "Raw headers") {
		t.Fatal("h did not toggle back")
	}
}

func TestHTMLShowsLinkTargetsAndLoadsNothing(t *testing.T) {
	m, _ := open(t, corpusMessage(t, "INBOX", "021"), 160, 80)
	if !m.showHTML {
		_, _ = m.Update(uitest.Key("v"))
	}
	out := strings.Join(m.renderLines(), "\n")
	if !strings.Contains(out, "rnicrosoft.example") {
		t.Fatalf("real link target not shown:\n%s", out)
	}
}

func TestAttachmentsListed(t *testing.T) {
	m, _ := open(t, corpusMessage(t, "Quarantine", "001"), 160, 80)
	out := strings.Join(m.renderLines(), "\n")
	if !strings.Contains(out, "Attachments (1)") || !strings.Contains(out, ".zip") {
		t.Fatalf("attachment list missing:\n%s", out)
	}
}

func TestMalformedMessageShowsWarnings(t *testing.T) {
	m, _ := open(t, corpusMessage(t, "Quarantine", "007"), 160, 80)
	out := strings.Join(m.renderLines(), "\n")
	if !strings.Contains(out, "Parser warnings") {
		t.Fatalf("warnings missing:\n%s", out)
	}
}

func TestScrollStaysInBounds(t *testing.T) {
	m, _ := open(t, corpusMessage(t, "INBOX", "017"), 80, 10)
	for i := 0; i < 500; i++ {
		_, _ = m.Update(uitest.Key("j"))
	}
	n := len(m.renderLines())
	if m.offset != max(n-10, 0) {
		t.Fatalf("offset %d after scrolling past the end of %d lines", m.offset, n)
	}
	_, _ = m.Update(uitest.Key("g"))
	if m.offset != 0 {
		t.Fatal("g did not return to the top")
	}
	if got := strings.Count(m.Render(), "\n") + 1; got != 10 {
		t.Fatalf("rendered %d lines, want 10", got)
	}
}
