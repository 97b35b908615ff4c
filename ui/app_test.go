package ui

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/report"
	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/internal/smtptest"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// demoAccount serves the demo corpus over real IMAP (imapmemserver) on
// loopback.
func demoAccount(t *testing.T, name string) session.Account {
	t.Helper()
	srv, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	mb := imap.New(srv.IMAPConfig())
	t.Cleanup(func() {
		_ = mb.Close()
		_ = srv.Close()
	})
	return session.Account{Name: name, Server: "imap://demo", Mailbox: mb, DefaultFolder: "INBOX", MessageLimit: 1 << 20}
}

// smtpAccount is demoAccount with a loopback SMTP server to send from,
// as soc@northwind.example; the server keeps what it receives.
func smtpAccount(t *testing.T) (session.Account, *smtptest.Server) {
	t.Helper()
	smtp := smtptest.Start(t, "soc@northwind.example", "smtp pw")
	acct := demoAccount(t, "demo")
	acct.FeedbackFrom = "soc@northwind.example"
	acct.SMTP = &report.Server{Addr: smtp.Addr, TLS: report.TLSNone, Username: "soc@northwind.example",
		Password: func(context.Context) (string, error) { return "smtp pw", nil }}
	return acct, smtp
}

// start runs the console in a test program at a fixed size, clock and
// colourless theme, so golden files are stable.
func start(t *testing.T, w, h int, accounts ...session.Account) *teatest.TestModel {
	t.Helper()
	return startFiltered(t, w, h, uitest.ProbeFilter, accounts...)
}

// startFiltered is start with filter in front of the console (it must
// pass probes to uitest.ProbeFilter).
func startFiltered(t *testing.T, w, h int, filter func(tea.Model, tea.Msg) tea.Msg, accounts ...session.Account) *teatest.TestModel {
	t.Helper()
	m, err := New(Options{Accounts: accounts, Theme: "none", Now: func() time.Time { return testNow }, Environ: []string{}, Ctx: context.Background(), Remedy: uitest.Remedy(t)})
	if err != nil {
		t.Fatal(err)
	}
	*m.c.Styles = *themes.NewPlainStyles()
	m.applyHelpStyles()
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithFilter(filter)))
}

func root(m tea.Model) *Model { return m.(*Model) }

// settled: the open folder is listed and every visible row has arrived.
func settled(total int) func(tea.Model) bool {
	return func(tm tea.Model) bool {
		m := root(tm)
		st := m.box().State()
		return st.Total == total && !strings.Contains(m.Render(), "loading…")
	}
}

func screenOf(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return uitest.Plain(root(tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))).Render())
}

func keys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		tm.Send(uitest.Key(k))
	}
}

func TestGoldenMailboxScreen(t *testing.T) {
	tm := start(t, 120, 32, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	golden.RequireEqual(t, screenOf(t, tm))
}

func TestGoldenMessageScreen(t *testing.T) {
	tm := start(t, 120, 40, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	// The 13th newest INBOX message hides escape sequences in its headers.
	keys(tm, "G", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "enter")
	uitest.WaitModel(t, tm, "message read", func(m tea.Model) bool {
		return root(m).screen == screenMessage && strings.Contains(root(m).Render(), "Subject")
	})
	golden.RequireEqual(t, screenOf(t, tm))
}

func TestCommandLineOpensFolder(t *testing.T) {
	tm := start(t, 120, 30, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("folder Quarantine")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "Quarantine listed", settled(10))
	out := screenOf(t, tm)
	if !strings.Contains(out, "demo │ Quarantine │ 10 messages") {
		t.Fatalf("status bar does not show Quarantine:\n%s", out)
	}
}

func TestUnknownCommandIsReported(t *testing.T) {
	tm := start(t, 120, 30, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("frobnicate")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "error shown", func(m tea.Model) bool { return root(m).flashErr })
	out := screenOf(t, tm)
	if !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Fatalf("no error for an unknown command:\n%s", out)
	}
}

func TestBlockSenderWithoutGatewaysSaysHow(t *testing.T) {
	tm := start(t, 120, 30, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("block-sender")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "error shown", func(m tea.Model) bool { return root(m).flashErr })
	if out := screenOf(t, tm); !strings.Contains(out, "no gateway configured: add a [mimecast] or [fortimail] table") {
		t.Fatalf(":block-sender without gateways did not say how to configure one:\n%s", out)
	}
}

func TestHelpListsKeysFromKeyMaps(t *testing.T) {
	tm := start(t, 120, 80, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, "?")
	uitest.WaitModel(t, tm, "help shown", func(m tea.Model) bool { return root(m).showHelp })
	out := screenOf(t, tm)
	for _, want := range []string{"Keys", "j/↓", "ctrl+r", "folder NAME", "next account"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

func TestRebindingShowsInHelp(t *testing.T) {
	acct := demoAccount(t, "demo")
	m, err := New(Options{Accounts: []session.Account{acct}, Theme: "none", Environ: []string{},
		Keys: map[string]map[string][]string{"mailbox": {"move": {"M"}}}})
	if err != nil {
		t.Fatal(err)
	}
	m.width, m.height = 120, 30
	m.layout()
	if bar := uitest.Plain(m.bottomLine()); !strings.Contains(bar, "M move") {
		t.Fatalf("help bar does not show the rebound key: %q", bar)
	}
	if _, err := New(Options{Accounts: []session.Account{acct}, Keys: map[string]map[string][]string{"mailbox": {"dwn": {"x"}}}}); err == nil || !strings.Contains(err.Error(), "keys.mailbox.dwn: no such action") {
		t.Fatalf("bad action accepted: %v", err)
	}
}

func TestAccountSwitching(t *testing.T) {
	tm := start(t, 120, 30, demoAccount(t, "soc"), demoAccount(t, "ir"))
	uitest.WaitModel(t, tm, "first account listed", settled(23))
	keys(tm, "A")
	uitest.WaitModel(t, tm, "second account listed", func(m tea.Model) bool {
		out := uitest.Plain(root(m).Render())
		return root(m).active == 1 && settled(23)(m) && strings.Contains(out, " ir │ INBOX") && strings.Contains(out, "account 2/2")
	})
	// The first account's list was put down (Leave), and is taken up
	// again on the way back.
	keys(tm, "A")
	uitest.WaitModel(t, tm, "first account listed again", func(m tea.Model) bool {
		return root(m).active == 0 && settled(23)(m)
	})
	out := screenOf(t, tm)
	if !strings.Contains(out, " soc │ INBOX") || !strings.Contains(out, "account 1/2") {
		t.Fatalf("first account not shown again:\n%s", out)
	}
}

// Down to 80x24 every line fits and the screen has exactly the terminal's
// height, on every screen.
func TestResizeKeepsLayoutInBounds(t *testing.T) {
	tm := start(t, 160, 48, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	for _, size := range [][2]int{{80, 24}, {100, 30}, {80, 24}} {
		tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, screenKey := range []string{"1", "4", "2", "1"} {
			keys(tm, screenKey)
			w, h := size[0], size[1]
			uitest.WaitModel(t, tm, "layout in bounds", func(m tea.Model) bool {
				lines := strings.Split(uitest.Plain(root(m).Render()), "\n")
				if len(lines) != h {
					return false
				}
				for _, l := range lines {
					if len([]rune(l)) > w {
						return false
					}
				}
				return true
			})
		}
	}
	_ = tm.Quit()
}

func TestQuitEndsProgram(t *testing.T) {
	tm := start(t, 100, 30, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestNoColorForcesMonochrome(t *testing.T) {
	acct := demoAccount(t, "demo")
	m, err := New(Options{Accounts: []session.Account{acct}, Theme: "dark", Environ: []string{"NO_COLOR=1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !m.theme.Mono {
		t.Fatal("NO_COLOR did not turn colour off")
	}
}

// The Phishing reports folder lists the phish the reports carry — the
// original's date, sender and subject — with who reported them.
func TestGoldenReportsFolder(t *testing.T) {
	tm := openReports(t)
	golden.RequireEqual(t, screenOf(t, tm))
}

// R shows the folder as received, and back.
func TestReportsFolderAsReceived(t *testing.T) {
	tm := openReports(t)
	keys(tm, "R")
	uitest.WaitModel(t, tm, "as received", func(m tea.Model) bool {
		v := uitest.Plain(root(m).Render())
		return !strings.Contains(v, "Reported by") && strings.Contains(v, "FW: Missed Teams voicemail")
	})
	keys(tm, "R")
	uitest.WaitModel(t, tm, "originals again", func(m tea.Model) bool {
		v := uitest.Plain(root(m).Render())
		return strings.Contains(v, "Reported by") && !strings.Contains(v, "FW: Missed Teams voicemail")
	})
	_ = tm.Quit()
}

func openReports(t *testing.T) *teatest.TestModel {
	t.Helper()
	tm := start(t, 160, 36, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("folder Phishing reports")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "reports read", func(m tea.Model) bool {
		b := root(m).box()
		return b.State().Total == 27 && b.ReportsSettled() && !strings.Contains(root(m).Render(), "loading…")
	})
	return tm
}

// What the analyst does to one report covers every report of the same
// phish, and the question says so.
func TestActionOnAReportCoversItsCase(t *testing.T) {
	tm := openReports(t)
	keys(tm, "d") // the newest row: one phish reported by three colleagues
	uitest.WaitModel(t, tm, "asked for the whole case", func(m tea.Model) bool {
		return strings.Contains(uitest.Plain(root(m).Render()), "Move 3 reports of one phish in Phishing reports to Trash?")
	})
	keys(tm, "y")
	uitest.WaitModel(t, tm, "three moved", func(m tea.Model) bool {
		return root(m).box().State().Total == 24 && strings.Contains(root(m).flash, "Trash")
	})
	_ = tm.Quit()
}

// J gives every report of a phish a verdict, kept on the server; W shows
// the replies to the reporters (links defanged) and sends one to each.
func TestVerdictAndFeedbackOnACase(t *testing.T) {
	acct, smtp := smtpAccount(t)
	tm := start(t, 160, 40, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("folder Phishing reports")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "reports read", func(m tea.Model) bool {
		b := root(m).box()
		return b.State().Total == 27 && b.ReportsSettled()
	})
	keys(tm, "J")
	tm.Type("phishing")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "asked", func(m tea.Model) bool {
		return strings.Contains(uitest.Plain(root(m).Render()), "Verdict phishing on 3 reports of one phish in Phishing reports?")
	})
	keys(tm, "y")
	uitest.WaitModel(t, tm, "given", func(m tea.Model) bool { return strings.Contains(root(m).flash, "verdict phishing on 3 reports") })
	q, _ := mail.ParseQuery(`tag:"verdict phishing"`)
	_, uids, err := acct.Mailbox.Search(context.Background(), "Phishing reports", q)
	if err != nil || len(uids) != 3 {
		t.Fatalf("on the server %d reports carry the verdict (%v), want 3", len(uids), err)
	}

	keys(tm, "W")
	var last string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last screen:\n%s", last)
		}
	})
	uitest.WaitModel(t, tm, "replies shown", func(m tea.Model) bool {
		v := uitest.Plain(root(m).Render())
		last = v + "\nflash: " + root(m).flash
		return strings.Contains(v, "Send the phishing reply to 3 reporters?") && strings.Contains(v, "To: dana.kowalski@northwind.example")
	})
	keys(tm, "y")
	uitest.WaitModel(t, tm, "sent", func(m tea.Model) bool { return strings.Contains(root(m).flash, "answered 3 reporter") })
	got := smtp.Received()
	if len(got) != 3 {
		t.Fatalf("%d replies reached the SMTP server, want 3", len(got))
	}
	for _, msg := range got {
		if strings.Contains(string(msg.Data), "nw-payroll-portal.example") || !strings.Contains(string(msg.Data), "nw-payroll-portal[.]example") {
			t.Fatalf("a reply names the phish live:\n%s", msg.Data)
		}
	}
	_ = tm.Quit()
}

// Z finds every copy of the message under the cursor in this mailbox
// (here: one in INBOX, one in Junk), shows the plan, moves them out with
// y, and u puts them back.
func TestPurgeEveryCopy(t *testing.T) {
	acct := demoAccount(t, "demo")
	ctx := context.Background()
	listing, err := acct.Mailbox.List(ctx, "INBOX", 0)
	if err != nil {
		t.Fatal(err)
	}
	newest := listing.UIDs[len(listing.UIDs)-1]
	raw, err := acct.Mailbox.Fetch(ctx, listing.Folder, newest, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.Mailbox.Append(ctx, "Junk", raw.Raw, mail.Flags{}, testNow); err != nil {
		t.Fatal(err)
	}
	sts, err := acct.Mailbox.Status(ctx, "Junk")
	if err != nil || len(sts) != 1 {
		t.Fatal(err)
	}
	junkBefore := sts[0].Messages
	tm := start(t, 160, 40, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, "Z")
	uitest.WaitModel(t, tm, "plan shown", func(m tea.Model) bool {
		v := uitest.Plain(root(m).Render())
		return strings.Contains(v, "Purge every copy of <") && strings.Contains(v, "this mailbox only") && strings.Contains(v, "2 copies")
	})
	keys(tm, "y")
	uitest.WaitModel(t, tm, "purged", func(m tea.Model) bool {
		if root(m).flashErr {
			t.Fatalf("purge failed: %s", root(m).flash)
		}
		return strings.Contains(root(m).flash, "purge soft: 2 copies done") && strings.Contains(root(m).flash, "u puts them back")
	})
	uitest.WaitModel(t, tm, "gone from INBOX", func(m tea.Model) bool { return root(m).box().State().Total == 22 })
	keys(tm, "u")
	var last string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last: %s", last)
		}
	})
	uitest.WaitModel(t, tm, "put back", func(m tea.Model) bool {
		last = root(m).flash + " total " + strconv.Itoa(root(m).box().State().Total)
		// The status line may already say that mail arrived (the copy
		// moved back into INBOX): the count is the proof.
		return root(m).box().State().Total == 23
	})
	if sts, err := acct.Mailbox.Status(ctx, "Junk"); err != nil || len(sts) != 1 || sts[0].Messages != junkBefore {
		t.Fatalf("Junk after the undo: %+v (%v), want %d messages", sts, err, junkBefore)
	}
	_ = tm.Quit()
}

// :send composes, previews and sends a message with a file attached,
// over the account's SMTP server, with a copy in Sent.
func TestSendFromTheConsole(t *testing.T) {
	acct, smtp := smtpAccount(t)
	file := filepath.Join(t.TempDir(), "iocs.csv")
	if err := os.WriteFile(file, []byte("type,value\ndomain,evil[.]example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := start(t, 140, 40, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("send ciso@northwind.example")
	keys(tm, "enter", "tab", "tab", "tab")
	tm.Type("Phishing wave, week 48")
	keys(tm, "tab")
	tm.Type(file)
	keys(tm, "tab")
	tm.Type("Summary attached.")
	keys(tm, "ctrl+s")
	uitest.WaitModel(t, tm, "preview", func(m tea.Model) bool {
		v := uitest.Plain(root(m).Render())
		return strings.Contains(v, "Send this message to 1 recipient(s)?") && strings.Contains(v, "iocs.csv")
	})
	keys(tm, "y")
	uitest.WaitModel(t, tm, "sent", func(m tea.Model) bool {
		if root(m).flashErr {
			t.Fatalf("send failed: %s", root(m).flash)
		}
		return len(smtp.Received()) == 1
	})
	got := smtp.Received()[0]
	if got.To[0] != "ciso@northwind.example" || !strings.Contains(string(got.Data), "Phishing wave, week 48") || !strings.Contains(string(got.Data), "filename=iocs.csv") {
		t.Fatalf("sent:\n%s", got.Data)
	}
	_ = tm.Quit()
}

// While a picker has the keyboard, the help bar names its keys (the list's
// would not work), and the list's come back when it closes.
func TestHelpBarNamesTheOpenPickersKeys(t *testing.T) {
	tm := start(t, 140, 30, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, "m")
	uitest.WaitModel(t, tm, "the move picker's keys in the help bar", func(m tea.Model) bool {
		bar := uitest.Plain(root(m).bottomLine())
		return strings.Contains(bar, "enter pick") && !strings.Contains(bar, "space select") && !strings.Contains(bar, "q quit")
	})
	keys(tm, "esc")
	uitest.WaitModel(t, tm, "the list's keys back", func(m tea.Model) bool {
		return strings.Contains(uitest.Plain(root(m).bottomLine()), "space select")
	})
	_ = tm.Quit()
}

// The ? screen scrolls with the dialog's scroll keys, as rebound, and
// says which they are.
func TestHelpScrollsWithTheDialogScrollKeys(t *testing.T) {
	acct := demoAccount(t, "demo")
	m, err := New(Options{Accounts: []session.Account{acct}, Theme: "none", Environ: []string{}, Ctx: context.Background(),
		Remedy: uitest.Remedy(t), Keys: map[string]map[string][]string{"dialog": {"scroll_down": {"ctrl+e"}}}})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 20})
	m.Update(uitest.Key("?"))
	if !strings.Contains(uitest.Plain(m.Render()), "(ctrl+e k/↑ scroll") {
		t.Fatalf("the help screen does not name the rebound key:\n%s", uitest.Plain(m.Render()))
	}
	m.Update(uitest.Key("ctrl+e"))
	if m.helpOffset != 1 || !m.showHelp {
		t.Fatalf("ctrl+e: offset %d, shown %v; want scrolled one line", m.helpOffset, m.showHelp)
	}
	m.Update(uitest.Key("j")) // no longer a scroll key: closes, as any other
	if m.showHelp {
		t.Fatal("j still scrolls the help screen after scroll_down was rebound")
	}
}
