package message

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func newModel(w, h int) *Model {
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewPlainStyles(), Jobs: jobs.NewRunner(10), Now: func() time.Time { return testNow }}}
	m := New(c, DefaultKeyMap())
	m.SetSize(w, h)
	return m
}

// harness drives a message screen and keeps what it reported.
type harness struct {
	t     *testing.T
	m     *Model
	mb    *mailtest.Mailbox
	infos []string
	errs  []error
	msgs  []tea.Msg
	back  bool
}

// open loads raw into a fresh message screen through a mailtest mailbox.
func open(t *testing.T, raw []byte, w, h int) *harness {
	t.Helper()
	mb := mailtest.New()
	mb.CloseEvents()
	uid := mb.Add("INBOX", mail.Envelope{}, raw)
	m := newModel(w, h)
	m.c.Actions = uitest.Actions(t)
	hs := &harness{t: t, m: m, mb: mb}
	acct := session.Account{Name: "t", Mailbox: mb, MessageLimit: 1 << 20}
	hs.run(m.Open(acct, mail.FolderRef{Name: "INBOX", UIDValidity: 1}, mail.Envelope{UID: uid}))
	if m.err != nil {
		t.Fatalf("open: %v", m.err)
	}
	return hs
}

func (h *harness) run(cmd tea.Cmd) {
	uitest.Drive(h.m, cmd, func(msg tea.Msg) {
		h.msgs = append(h.msgs, msg)
		switch msg := msg.(type) {
		case common.InfoMsg:
			h.infos = append(h.infos, msg.Text)
		case common.ErrorMsg:
			h.errs = append(h.errs, msg.Err)
		case common.BackMsg:
			h.back = true
		}
	})
}

func (h *harness) press(keys ...string) {
	for _, k := range keys {
		_, cmd := h.m.Update(uitest.Key(k))
		h.run(cmd)
	}
}

// typeText types into the open prompt.
func (h *harness) typeText(s string) {
	for _, r := range s {
		_, cmd := h.m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		h.run(cmd)
	}
}

// tab is every line of the tab shown, not only the visible ones.
func (h *harness) tab() string {
	return uitest.Plain(strings.Join(h.m.currentLayout().lines, "\n"))
}

func (h *harness) screen() string { return uitest.Plain(h.m.Render()) }

func (h *harness) lastInfo() string {
	if len(h.infos) == 0 {
		return ""
	}
	return h.infos[len(h.infos)-1]
}

func (h *harness) goTo(t tab) {
	h.t.Helper()
	for i := 0; i < int(numTabs) && h.m.page().tab != t; i++ {
		h.press("tab")
	}
	if h.m.page().tab != t {
		h.t.Fatalf("never reached tab %s", tabNames[t])
	}
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

// assertEveryTabSafe lays out every tab of the page on top of m's stack,
// in both body modes, and checks the output: plain text safe, no line
// wider than the screen, and the styled output holds no escape sequence
// but our own SGR styling.
func assertEveryTabSafe(t *testing.T, m *Model, name string) {
	t.Helper()
	pg := m.page()
	for tb := tabSummary; tb < numTabs; tb++ {
		for _, html := range []bool{false, true} {
			pg.tab, pg.html = tb, html
			lines := m.currentLayout().lines
			where := fmt.Sprintf("%s [%s html=%v w=%d]", name, tabNames[tb], html, m.width)
			plain := ansi.Strip(strings.Join(lines, "\n"))
			assertSafe(t, where, plain)
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > m.width {
					t.Errorf("%s: line %d is %d cells wide: %q", where, i, w, ansi.Strip(l))
					break
				}
			}
			assertSafe(t, where+" screen", ansi.Strip(m.Render()))
		}
	}
	pg.tab, pg.html = tabSummary, false
}

// Every tab of every message of the corpus — hostile ones included, and
// the messages attached to them — renders without one unsafe character
// on screen.
func TestEveryTabOfEveryCorpusMessageRendersSafely(t *testing.T) {
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range msgs {
		for _, width := range []int{60, 160} {
			h := open(t, msg.Raw, width, 30)
			name := msg.Folder + "/" + msg.File
			assertEveryTabSafe(t, h.m, name)
			for i, a := range h.m.page().doc.ev.Attachments {
				if !a.HasFlag(analysis.AttachNestedMessage) {
					continue
				}
				h.goTo(tabAttachments)
				h.m.page().cursor[tabAttachments] = i
				h.press("enter")
				if len(h.m.stack) != 2 {
					t.Fatalf("%s: attachment %d did not open as a message", name, i+1)
				}
				assertEveryTabSafe(t, h.m, fmt.Sprintf("%s attached %d", name, i+1))
				h.press("q")
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
		h := open(t, corpusMessage(t, tt.folder, tt.file), 160, 60)
		var all []string
		for tb := tabSummary; tb < numTabs; tb++ {
			h.m.page().tab = tb
			all = append(all, h.tab())
		}
		out := strings.Join(all, "\n")
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s/%s: no tab shows %q", tt.folder, tt.file, w)
			}
		}
	}
}

func TestReadingDoesNotMarkRead(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "004"), 120, 40)
	if h.mb.Seen("INBOX", h.m.env.UID) {
		t.Fatal("opening the message marked it read")
	}
	if !strings.Contains(h.tab(), "unread (opening it did not change that)") {
		t.Fatalf("state line missing:\n%s", h.tab())
	}
	h.press("r")
	if !h.mb.Seen("INBOX", h.m.env.UID) {
		t.Fatal("r did not mark the message read")
	}
}

func TestReplyToElsewhereIsFlagged(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "004"), 120, 40)
	if !strings.Contains(h.tab(), "replies go to another domain") {
		t.Fatalf("Reply-To mismatch not flagged:\n%s", h.tab())
	}
}

func TestSummaryShowsVerdictStrip(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 120, 40)
	out := h.tab()
	if !strings.Contains(out, "Verdict") || !strings.Contains(out, "HIGH") {
		t.Fatalf("no verdict strip with a high signal:\n%s", out)
	}
	for _, s := range h.m.page().doc.ev.Signals {
		if !strings.Contains(out, s.Title) {
			t.Errorf("signal %q not in the strip", s.Title)
		}
	}
}

func TestTabsCycleBothWays(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 120, 40)
	var seen []tab
	for range h.m.page().doc.tabs() {
		h.press("tab")
		seen = append(seen, h.m.page().tab)
	}
	if seen[0] != tabAuth || seen[len(seen)-1] != tabSummary {
		t.Fatalf("tab walked %v", seen)
	}
	h.press("shift+tab")
	if h.m.page().tab != tabRaw {
		t.Fatalf("shift+tab from Summary went to %s, want Raw", tabNames[h.m.page().tab])
	}
	h.press("[", "[")
	if h.m.page().tab != tabAttachments {
		t.Fatalf("[ [ from Raw went to %s, want Attachments", tabNames[h.m.page().tab])
	}
	h.press("]")
	if h.m.page().tab != tabHeaders {
		t.Fatalf("] went to %s, want Headers", tabNames[h.m.page().tab])
	}
	if !strings.Contains(h.screen(), "[Headers]") && !strings.Contains(strings.Split(h.screen(), "\n")[0], "Headers") {
		t.Fatalf("tab bar does not name the tabs:\n%s", h.screen())
	}
	// Each tab keeps its own place.
	h.goTo(tabRaw)
	h.press("pgdown")
	off := h.m.offset()
	h.press("tab", "shift+tab")
	if h.m.offset() != off || off == 0 {
		t.Fatalf("Raw offset %d after leaving and coming back, want %d (>0)", h.m.offset(), off)
	}
}

func TestAuthTabShowsAlignment(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 140, 40)
	h.goTo(tabAuth)
	out := h.tab()
	for _, want := range []string{"SPF", "DKIM", "d=", "DMARC", "ARC", "Received-SPF", "Alignment", "From header", "MAIL FROM", "Authentication-Results"} {
		if !strings.Contains(out, want) {
			t.Errorf("Auth tab lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestHopsTabFlagsRows(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 140, 40)
	h.goTo(tabHops)
	out := h.tab()
	if !strings.Contains(out, "Received hops (4)") || !strings.Contains(out, "from") || !strings.Contains(out, "delay") {
		t.Fatalf("hops table missing:\n%s", out)
	}
	flagged := 0
	for _, hop := range h.m.page().doc.ev.Hops {
		if len(hop.Flags) > 0 {
			flagged++
		}
	}
	if got := strings.Count(out, "⚠"); got != flagged {
		t.Errorf("%d flag lines for %d flagged hops:\n%s", got, flagged, out)
	}
}

func TestURLsTabShowsDefangedAndCopiesOnlyOnRequest(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 140, 40)
	h.goTo(tabURLs)
	out := h.tab()
	u := h.m.page().doc.ev.URLs[0]
	if !strings.Contains(out, u.Defanged) || !strings.Contains(out, "hxxp") {
		t.Fatalf("URL not shown defanged:\n%s", out)
	}
	if strings.Contains(out, u.URL) && u.URL != u.Defanged {
		t.Fatalf("live URL %q on screen:\n%s", u.URL, out)
	}
	for _, msg := range h.msgs {
		if strings.Contains(fmt.Sprintf("%T", msg), "Clipboard") {
			t.Fatal("something was copied before anyone asked")
		}
	}
	clip := func() string {
		for i := len(h.msgs) - 1; i >= 0; i-- {
			if strings.Contains(fmt.Sprintf("%T", h.msgs[i]), "Clipboard") {
				return fmt.Sprint(h.msgs[i])
			}
		}
		return ""
	}
	h.press("j", "k", "y")
	if got := clip(); got != u.Defanged {
		t.Fatalf("y copied %q, want the defanged %q", got, u.Defanged)
	}
	h.press("Y")
	if got := clip(); got != u.URL {
		t.Fatalf("Y copied %q, want %q", got, u.URL)
	}
	if !strings.Contains(h.lastInfo(), "live URL") {
		t.Errorf("copying the live URL does not warn: %q", h.lastInfo())
	}
	h.press("j")
	if h.m.page().cursor[tabURLs] != 1 || !strings.Contains(h.screen(), "▌") {
		t.Fatalf("j did not move to the second URL:\n%s", h.screen())
	}
}

func TestHeadersFilter(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 120, 40)
	h.press("h")
	out := h.tab()
	if h.m.page().tab != tabHeaders || !strings.Contains(out, "Received: from") || !strings.Contains(out, "Authentication-Results:") {
		t.Fatalf("h did not show the header fields:\n%s", out)
	}
	h.press("/")
	if !h.m.Capturing() {
		t.Fatal("/ opened no prompt")
	}
	h.typeText("received")
	h.press("enter")
	out = h.tab()
	if strings.Contains(out, "Authentication-Results:") || !strings.Contains(out, "Received: from") || !strings.Contains(out, "fields contain “received”") {
		t.Fatalf("filter not applied:\n%s", out)
	}
	h.press("esc")
	if h.back || strings.Contains(h.tab(), "contain “received”") || !strings.Contains(h.tab(), "Authentication-Results:") {
		t.Fatalf("esc did not clear the filter (back=%v):\n%s", h.back, h.tab())
	}
	h.press("esc")
	if !h.back {
		t.Fatal("esc without a filter did not go back")
	}
}

func TestRawSearchWalksMatches(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 120, 12)
	h.goTo(tabRaw)
	h.press("/")
	h.typeText("received:")
	h.press("enter")
	lay := h.m.currentLayout()
	if len(lay.matches) != 4 {
		t.Fatalf("%d matches of received:, want 4 (one per hop)", len(lay.matches))
	}
	if !strings.Contains(h.lastInfo(), "match 1 of 4") {
		t.Fatalf("status %q", h.lastInfo())
	}
	h.press("n", "n", "n")
	if h.m.page().match != 3 || !strings.Contains(h.lastInfo(), "match 4 of 4") {
		t.Fatalf("n n n: match %d, %q", h.m.page().match, h.lastInfo())
	}
	h.press("n")
	if h.m.page().match != 0 {
		t.Fatal("n does not wrap around")
	}
	h.press("N")
	if h.m.page().match != 3 {
		t.Fatal("N does not go back")
	}
	sc := h.screen()
	if !strings.Contains(sc, "▌ Received:") {
		t.Fatalf("the current match is not marked on screen:\n%s", sc)
	}
}

func TestNestedMessagePushAndPop(t *testing.T) {
	h := open(t, corpusMessage(t, "Phishing reports", "001"), 120, 40)
	h.press("o") // the report as it came, with the phish attached
	outer := h.m.page().doc.ev.Subject
	h.goTo(tabAttachments)
	h.press("enter")
	if len(h.m.stack) != 2 {
		t.Fatalf("enter on the attached message: stack %d, want 2 (%v)", len(h.m.stack), h.infos)
	}
	inner := h.m.page().doc.ev.Subject
	if inner == outer || inner == "" {
		t.Fatalf("the attached message shows subject %q (outer %q)", inner, outer)
	}
	sc := h.screen()
	if !strings.Contains(sc, "attached message (level 1)") || h.m.page().tab != tabSummary {
		t.Fatalf("nested message not shown as such:\n%s", sc)
	}
	if target, _ := h.m.Current(); string(target.Raw) != string(h.m.stack[0].doc.raw) {
		t.Error("exports would take the attached message, not the one opened")
	}
	h.press("r")
	if !strings.Contains(h.lastInfo(), "no read state") {
		t.Errorf("r on an attached message: %q", h.lastInfo())
	}
	h.press("q")
	if len(h.m.stack) != 1 || h.back || h.m.page().tab != tabAttachments {
		t.Fatalf("q did not pop back to the parent's Attachments tab (stack %d, back %v)", len(h.m.stack), h.back)
	}
	h.press("q")
	if !h.back {
		t.Fatal("q on the opened message did not leave")
	}
}

func TestEnterOnPlainAttachmentOpensNothing(t *testing.T) {
	h := open(t, corpusMessage(t, "Quarantine", "001"), 120, 40)
	h.goTo(tabAttachments)
	out := h.tab()
	if !strings.Contains(out, "Attachments (1)") || !strings.Contains(out, ".zip") || !strings.Contains(out, "SHA-256") {
		t.Fatalf("attachment list missing:\n%s", out)
	}
	h.press("enter")
	if len(h.m.stack) != 1 || !strings.Contains(h.lastInfo(), "not a message") {
		t.Fatalf("enter on a zip: stack %d, %q", len(h.m.stack), h.lastInfo())
	}
}

func TestSaveAsksForPathAndRefusesToOverwrite(t *testing.T) {
	raw := corpusMessage(t, "Quarantine", "001")
	h := open(t, raw, 120, 40)
	path := filepath.Join(t.TempDir(), "evidence.bin")
	h.goTo(tabAttachments)
	h.press("s")
	if !h.m.Capturing() || !strings.Contains(h.screen(), "save attachment 1") {
		t.Fatalf("s did not ask for a path:\n%s", h.screen())
	}
	if v := h.m.prompt.ti.Value(); !strings.HasPrefix(v, "attachment-") || !strings.HasSuffix(v, ".bin") {
		t.Errorf("suggested name %q is not our own", v)
	}
	h.m.prompt.ti.SetValue(path)
	h.press("enter")
	want := h.m.page().doc.parts[0].Content
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(want) {
		t.Fatalf("saved file: %v (%d bytes, want %d)", err, len(got), len(want))
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(h.lastInfo(), "saved attachment 1") || !strings.Contains(h.lastInfo(), "0600") {
		t.Errorf("status %q", h.lastInfo())
	}

	// The whole message to the same path: asked first, no leaves it.
	h.goTo(tabSummary)
	h.press("s")
	h.m.prompt.ti.SetValue(path)
	h.press("enter")
	if h.m.prompt == nil || h.m.prompt.kind != promptConfirm || !strings.Contains(h.screen(), "exists — replace it?") {
		t.Fatalf("no overwrite question:\n%s", h.screen())
	}
	h.press("n")
	if got, _ := os.ReadFile(path); string(got) != string(want) {
		t.Fatal("n replaced the file")
	}
	h.press("s")
	h.m.prompt.ti.SetValue(path)
	h.press("enter", "y")
	if got, _ := os.ReadFile(path); string(got) != string(raw) {
		t.Fatal("y did not replace the file with the message")
	}
}

func TestMalformedMessageShowsWarnings(t *testing.T) {
	h := open(t, corpusMessage(t, "Quarantine", "007"), 160, 80)
	if !strings.Contains(h.tab(), "Parser warnings") {
		t.Fatalf("warnings missing:\n%s", h.tab())
	}
}

func TestHTMLShowsLinkTargetsAndLoadsNothing(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 160, 80)
	if !h.m.page().html {
		h.press("v")
	}
	if !strings.Contains(h.tab(), "rnicrosoft.example") {
		t.Fatalf("real link target not shown:\n%s", h.tab())
	}
}

func TestSkippedAnalysisIsSaid(t *testing.T) {
	h := open(t, corpusMessage(t, "Junk", "005"), 120, 60)
	if !strings.Contains(h.tab(), "Not analysed") || !strings.Contains(h.tab(), "MIME nesting deeper than") {
		t.Fatalf("what a limit cut is not said:\n%s", h.tab())
	}
}

func TestScrollStaysInBounds(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "017"), 80, 10)
	h.goTo(tabRaw)
	for i := 0; i < 500; i++ {
		h.press("j")
	}
	n := len(h.m.currentLayout().lines)
	if h.m.offset() != max(n-9, 0) {
		t.Fatalf("offset %d after scrolling past the end of %d lines", h.m.offset(), n)
	}
	h.press("g")
	if h.m.offset() != 0 {
		t.Fatal("g did not return to the top")
	}
	if got := strings.Count(h.m.Render(), "\n") + 1; got != 10 {
		t.Fatalf("rendered %d lines, want 10", got)
	}
}

// Golden screens of each tab: fixed size, plain styles, fixed clock.
// go test ./ui/message -run TestGolden -update rewrites them.
func TestGoldenTabs(t *testing.T) {
	h := open(t, corpusMessage(t, "INBOX", "021"), 100, 30)
	for tb := tabSummary; tb < numTabs; tb++ {
		t.Run(tabNames[tb], func(t *testing.T) {
			h.m.page().tab = tb
			golden.RequireEqual(t, []byte(h.screen()))
		})
	}
}

func TestGoldenAttachmentsAndNested(t *testing.T) {
	h := open(t, corpusMessage(t, "Quarantine", "001"), 100, 30)
	h.goTo(tabAttachments)
	t.Run("Attachments", func(t *testing.T) { golden.RequireEqual(t, []byte(h.screen())) })
	n := open(t, corpusMessage(t, "Phishing reports", "001"), 100, 30)
	n.press("o")
	n.goTo(tabAttachments)
	n.press("enter")
	t.Run("NestedSummary", func(t *testing.T) { golden.RequireEqual(t, []byte(n.screen())) })
}

// A report opens on its reported original; the Report tab names the
// reporter and their comment; o shows the report as it came.
func TestGoldenReport(t *testing.T) {
	for _, name := range []string{"021", "023", "024"} { // .msg, inline forward, ARF
		h := open(t, corpusMessage(t, "Phishing reports", name), 100, 30)
		t.Run(name+"Summary", func(t *testing.T) { golden.RequireEqual(t, []byte(h.screen())) })
		h.m.page().tab = tabReport
		t.Run(name+"Report", func(t *testing.T) { golden.RequireEqual(t, []byte(h.screen())) })
	}
}

func TestReportOpensOnTheOriginalAndActionsAimAtIt(t *testing.T) {
	h := open(t, corpusMessage(t, "Phishing reports", "025"), 120, 40)
	d := h.m.page().doc
	if d.report == nil {
		t.Fatal("a report was not recognised")
	}
	env, reporters := h.m.ActionEnvelope()
	if len(env.From) == 0 || len(reporters) != 1 || strings.EqualFold(env.From[0].Addr, reporters[0]) {
		t.Fatalf("actions aim at %+v, reporters %v", env.From, reporters)
	}
	if env.MessageID == "" || env.MessageID == h.m.env.MessageID {
		t.Fatalf("tracking would use %q, the report's is %q", env.MessageID, h.m.env.MessageID)
	}
	h.press("o")
	if h.m.page().doc.report != nil || h.m.page().doc.original == nil {
		t.Fatal("o did not show the report as it came")
	}
	h.press("o")
	if h.m.page().doc.report == nil {
		t.Fatal("o did not go back to the original")
	}
}

// :theme restyles the open message at once: the styles change in place
// behind the screen's pointer, and InvalidateStyles (which the root calls)
// drops the tab laid out in the old ones.
func TestThemeChangeRedrawsTheOpenMessage(t *testing.T) {
	dark, err := themes.Builtin("dark")
	if err != nil {
		t.Fatal(err)
	}
	light, err := themes.Builtin("light")
	if err != nil {
		t.Fatal(err)
	}
	h := open(t, corpusMessage(t, "INBOX", "004"), 120, 40)
	*h.m.c.Styles = *themes.NewStyles(dark)
	h.m.InvalidateStyles()
	inDark := h.m.Render()
	*h.m.c.Styles = *themes.NewStyles(light)
	h.m.InvalidateStyles()
	inLight := h.m.Render()
	fresh := open(t, corpusMessage(t, "INBOX", "004"), 120, 40)
	*fresh.m.c.Styles = *themes.NewStyles(light)
	if inLight == inDark || inLight != fresh.m.Render() {
		t.Fatal("after the theme change the message is not drawn as a message opened in the new theme")
	}
}
