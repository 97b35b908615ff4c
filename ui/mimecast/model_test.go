package mimecast

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// harness is the screen against a seeded emulator, driven key by key.
type harness struct {
	t     *testing.T
	m     *Model
	srv   *mimecasttest.Server
	errs  []string
	infos []string
	shown []string // ShowScreenMsg names
}

type option func(*session.Session)

func withKeys(k map[string][]string) option {
	return func(c *session.Session) { c.Keys = map[string]map[string][]string{"mimecast": k} }
}

func newHarness(t *testing.T, w, h int, seed mimecasttest.SeedData, opts ...option) *harness {
	t.Helper()
	return newHarnessOn(t, w, h, seed, mimecasttest.Options{}, opts...)
}

// newHarnessOn is newHarness against an emulator with srvOpts (its clock
// is the test's).
func newHarnessOn(t *testing.T, w, h int, seed mimecasttest.SeedData, srvOpts mimecasttest.Options, opts ...option) *harness {
	t.Helper()
	clock := func() time.Time { return testNow }
	srvOpts.Now = clock
	srv := mimecasttest.New(srvOpts)
	t.Cleanup(srv.Close)
	srv.Seed(seed)
	cred := srv.Credentials()
	secret := func(s string) mimecast.SecretFunc { return func(context.Context) (string, error) { return s, nil } }
	cl, err := mimecast.New(mimecast.Options{BaseURL: srv.URL(), Auth: mimecast.AuthHMAC, AppID: cred.AppID,
		AppKey: secret(cred.AppKey), AccessKey: cred.AccessKey, SecretKey: secret(cred.SecretKey), Now: clock, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewPlainStyles(), Jobs: jobs.NewRunner(50),
		Now: clock}, Actions: uitest.Actions(t), Gateways: session.Gateways{Mimecast: cl}}
	for _, o := range opts {
		o(c)
	}
	hs := &harness{t: t, m: New(c), srv: srv}
	hs.m.SetSize(w, h)
	hs.run(hs.m.Init())
	return hs
}

func (h *harness) run(cmd tea.Cmd) {
	uitest.Drive(h.m, cmd, func(msg tea.Msg) {
		switch msg := msg.(type) {
		case common.ErrorMsg:
			h.errs = append(h.errs, msg.Err.Error())
		case common.InfoMsg:
			h.infos = append(h.infos, msg.Text)
		case common.ShowScreenMsg:
			h.shown = append(h.shown, msg.Name)
		}
	})
}

func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		_, cmd := h.m.Update(uitest.Key(k))
		h.run(cmd)
	}
}

// typeText types s into whatever has the keyboard.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.press(string(r))
	}
}

func (h *harness) screen() string { return uitest.Plain(h.m.Render()) }

func (h *harness) see(want ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func (h *harness) noErrors() {
	h.t.Helper()
	if len(h.errs) > 0 {
		h.t.Fatalf("errors: %q", h.errs)
	}
}

// tab presses ] until the tab named name is open.
func (h *harness) tab(name string) {
	h.t.Helper()
	for range tabCount {
		if h.m.tabs[h.m.tab].name() == name {
			return
		}
		h.press("]")
	}
	h.t.Fatalf("no tab %q", name)
}

// auditActions lists the actions of the audit log's records, in order.
func (h *harness) auditActions() []string {
	h.t.Helper()
	recs, err := h.m.c.Actions.Remedy.Audit.Recent(100)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Phase+" "+r.Action+" "+r.Result)
	}
	return out
}

func (h *harness) audited(action string) {
	h.t.Helper()
	got := strings.Join(h.auditActions(), "\n")
	if !strings.Contains(got, audit.PhaseIntent+" mimecast-"+action) || !strings.Contains(got, audit.PhaseResult+" mimecast-"+action+" ok") {
		h.t.Fatalf("audit log lacks intent and ok result of mimecast-%s:\n%s", action, got)
	}
}

func sample() mimecasttest.SeedData { return mimecasttest.SampleData(testNow) }

func TestEachTabLoadsFromTheServer(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.see("[Policies]", "Blocked-sender policies · 1 policy", "Block known invoice-fraud domain", "email domain billing-notice.top")
	for _, c := range []struct {
		tab  string
		want []string
	}{
		{"Senders", []string{"Managed senders · 1 entry", "spam@bulk-mailer.xyz", "j.doe@example.com"}},
		{"URLs", []string{"Managed URLs · 2 entries", "http://billing-notice.top", "https://intranet.example.com/sso", "invoice fraud campaign"}},
		{"Groups", []string{"Profile groups · 2 groups", "VIP users", "Trusted partners"}},
		{"Tracking", []string{"/ searches by sender"}},
		{"Archive", []string{"/ searches the archive"}},
		{"Logs", []string{"URL Protect clicks · today · 2 clicks", "http://billing-notice.top/login?inv=7731", "malicious"}},
		{"Tools", []string{"Decode URL", "Aliases"}},
		{"Held", []string{"Held messages · 1 message", "Overdue invoice 7731", "Suspected malicious URL"}},
	} {
		h.tab(c.tab)
		h.see(c.want...)
	}
	h.noErrors()
	h.press("]") // wraps round to the first tab
	h.see("[Policies]")
	h.press("shift+tab")
	h.see("[Held]")
}

func TestLogsSwitchToSearchLogs(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.tab("Logs")
	h.press("v")
	h.see("Archive search logs", "analyst@example.com", "invoice 7731")
	h.press("enter")
	h.see("Archive search by analyst@example.com", "phishing investigation")
	h.noErrors()
}

func TestCreatePolicyRefusesBadInputBeforeSending(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.press("n")
	if !h.m.Capturing() {
		t.Fatal("the form does not have the keyboard")
	}
	h.see("New blocked-sender policy", "Description", "Sender type", "Addresses based on", "Receiver value", "Source IPs", "Ends")
	h.press("enter")
	h.see("✗ description: required")

	h.press("tab") // description
	h.typeText("Block the 7731 campaign")
	h.press("tab", "right") // sender type: email domain
	h.press("tab")
	h.typeText("@billing-notice.top")
	h.press("enter")
	h.see("✗ sender value: want a domain without @")

	for range len("@billing-notice.top") {
		h.press("backspace")
	}
	h.typeText("evil.example")
	h.press("tab", "tab", "tab", "tab") // addresses based on, receiver type, receiver value, source IPs
	h.typeText("203.0.113.7/24")
	h.press("enter")
	h.see("host bits set; did you mean 203.0.113.0/24?")

	h.press("tab", "tab", "tab", "tab") // comment, bidirectional, override, starts
	h.typeText("2026-13-01")
	h.press("enter")
	h.see("✗ starts: \"2026-13-01\" is not a date")
	if n := h.srv.Requests("/api/policy/blockedsenders/create-policy"); n != 0 {
		t.Fatalf("%d create requests were sent for invalid policies", n)
	}

	for range len("2026-13-01") {
		h.press("backspace")
	}
	h.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")
	for range len("203.0.113.7/24") {
		h.press("backspace")
	}
	h.typeText("203.0.113.0/24")
	h.press("enter")
	h.noErrors()
	if h.m.Capturing() {
		t.Fatalf("the form stayed open:\n%s", h.screen())
	}
	ps := h.srv.Policies()
	if len(ps) != 2 {
		t.Fatalf("server holds %d policies, want 2", len(ps))
	}
	p := ps[1]
	if p.Description != "Block the 7731 campaign" || p.FromType != "email_domain" || p.FromValue != "evil.example" ||
		len(p.SourceIPs) != 1 || p.SourceIPs[0] != "203.0.113.0/24" || p.Option != "block_sender" {
		t.Fatalf("created %+v", p)
	}
	h.see("Blocked-sender policies · 2 policies", "Block the 7731 campaign", "email domain evil.example")
	h.audited("create-policy")
}

func TestEditPolicyChangesItOnTheServer(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.press("e")
	h.see("Edit policy Block known invoice-fraud domain", "billing-notice.top", "203.0.113.0/24")
	h.press("tab", "ctrl+u")
	h.typeText("Invoice fraud, all of it")
	h.press("tab", "tab", "tab", "tab", "right") // receiver type: internal addresses
	h.press("enter")
	h.noErrors()
	ps := h.srv.Policies()
	if len(ps) != 1 || ps[0].Description != "Invoice fraud, all of it" || ps[0].ToType != "internal_addresses" || ps[0].FromValue != "billing-notice.top" {
		t.Fatalf("after edit the server holds %+v", ps)
	}
	h.see("Invoice fraud, all of it")
	h.audited("update-policy")
}

func TestDeletePolicyAsksFirst(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.press("d")
	if !h.m.Capturing() {
		t.Fatal("no question asked")
	}
	h.see(`Delete blocked-sender policy "Block known invoice-fraud domain"`, "y yes", "n/esc no")
	h.press("n")
	if len(h.srv.Policies()) != 1 {
		t.Fatal("n deleted the policy")
	}
	h.press("d", "y")
	h.noErrors()
	if len(h.srv.Policies()) != 0 {
		t.Fatal("the policy is still on the server")
	}
	h.see("Blocked-sender policies · 0 policies", "no blocked-sender policies; n creates one")
	h.audited("delete-policy")
}

func TestPolicyDetail(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.press("enter")
	h.see("Policy Block known invoice-fraud domain", "Source IPs", "203.0.113.0/24", "In force", "always")
	h.press("esc")
	h.see("Blocked-sender policies")
}

func TestBlockAndPermitSender(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.tab("Senders")
	h.press("b")
	h.typeText("not-an-address")
	h.press("tab")
	h.typeText("j.doe@example.com")
	h.press("enter")
	h.see(`✗ sender: "not-an-address" is not an email address`)
	if n := h.srv.Requests("/api/managedsender/permit-or-block-sender"); n != 0 {
		t.Fatalf("%d requests sent for an invalid sender", n)
	}
	h.press("shift+tab", "ctrl+u")
	h.typeText("ceo@evil-lookalike.example")
	h.press("enter")
	h.noErrors()
	h.see("Managed senders · 2 entries", "ceo@evil-lookalike.example")
	if !hasSender(h.srv.ManagedSenders(), "ceo@evil-lookalike.example", "Block") {
		t.Fatalf("server: %+v", h.srv.ManagedSenders())
	}
	h.audited("block-sender")

	// p on a blocked entry offers to lift that block.
	h.press("G", "p")
	h.see("Permit a sender", "ceo@evil-lookalike.example")
	h.press("enter")
	h.noErrors()
	if !hasSender(h.srv.ManagedSenders(), "ceo@evil-lookalike.example", "Permit") {
		t.Fatalf("server: %+v", h.srv.ManagedSenders())
	}
	h.audited("permit-sender")
}

func hasSender(ss []mimecasttest.ManagedSender, sender, typ string) bool {
	for _, s := range ss {
		if s.Sender == sender && strings.EqualFold(s.Type, typ) {
			return true
		}
	}
	return false
}

func TestBlockURLAndDeleteIt(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.tab("URLs")
	h.press("b")
	h.typeText("http://evil.example.zip/login#frag")
	h.press("enter")
	h.see("remove the #fragment")
	for range len("#frag") {
		h.press("backspace")
	}
	h.press("tab", "right", "tab")
	h.typeText("campaign 7731")
	h.press("enter")
	h.noErrors()
	h.see("Managed URLs · 3 entries", "evil.example.zip", "campaign 7731")
	var found bool
	for _, u := range h.srv.ManagedURLs() {
		found = found || strings.Contains(u.URL, "evil.example.zip") && u.Action == "block" && u.MatchType == "domain"
	}
	if !found {
		t.Fatalf("server: %+v", h.srv.ManagedURLs())
	}
	h.audited("block-url")

	h.press("G", "d")
	h.see("Delete the managed URL")
	h.press("y")
	h.noErrors()
	h.see("Managed URLs · 2 entries")
	h.audited("delete-managed-url")
}

func TestAddAndRemoveGroupMember(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.tab("Groups")
	h.press("enter")
	h.see("Members of VIP users · 2 members", "ceo@example.com", "Chief Financial Officer")
	h.press("n")
	h.typeText("not an address")
	h.press("enter")
	h.see("✗ member:")
	h.press("ctrl+u")
	h.typeText("ciso@example.com, partner.example.org")
	h.press("enter")
	h.noErrors()
	h.see("Members of VIP users · 4 members", "ciso@example.com", "partner.example.org")
	if got := len(h.srv.Groups()[0].Members); got != 4 {
		t.Fatalf("server group has %d members", got)
	}
	h.audited("add-group-members")

	h.press("g", "d", "y")
	h.noErrors()
	h.see("Members of VIP users · 3 members")
	h.audited("remove-group-member")
	h.press("esc")
	h.see("Profile groups")
}

func TestTrackingSearchThenMessageInfo(t *testing.T) {
	h := newHarness(t, 160, 48, sample())
	h.tab("Tracking")
	h.press("/")
	h.press("tab", "tab", "tab", "tab")
	h.typeText("not-an-ip")
	h.press("enter")
	h.see(`✗ sender IP: "not-an-ip" is not an IP address`)
	h.press("ctrl+u")
	h.press("shift+tab", "shift+tab", "shift+tab")
	h.typeText("news.example.org")
	h.press("enter")
	h.noErrors()
	h.see("Message tracking · from news.example.org · 1 message", "Your weekly digest", "news@news.example.org", "delivered")
	h.press("enter")
	h.noErrors()
	h.see("Message info: Your weekly digest", "Received from", "198.51.100.20", "Delivered to a.smith@example.com",
		"Delivered to j.doe@example.com", "URL Protect: Default URL Protect", "Attachment Protect: Default Attachment Protect (inherited)")
}

func TestOpenTrackingSearchesThatMessageID(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.run(h.m.OpenTracking("weekly-42@news.example.org"))
	h.noErrors()
	if len(h.shown) != 1 || h.shown[0] != "mimecast" {
		t.Fatalf("asked the root to show %q", h.shown)
	}
	h.see("[Tracking]", "Message-ID weekly-42@news.example.org · 1 message", "Your weekly digest")
}

func TestShowManagedSendersReloads(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.srv.Seed(mimecasttest.SeedData{ManagedSenders: []mimecasttest.ManagedSender{{Sender: "x@phish.example", To: "a.smith@example.com", Type: "Block"}}})
	h.run(h.m.ShowManagedSenders())
	h.noErrors()
	h.see("[Senders]", "x@phish.example")
}

func TestArchiveSearchAndDetail(t *testing.T) {
	h := newHarness(t, 120, 40, sample())
	h.tab("Archive")
	h.press("/")
	h.typeText("invoice")
	h.press("enter")
	h.noErrors()
	h.see("Archive search", "Overdue invoice 7731")
	h.press("enter")
	h.noErrors()
	h.see("Archived message: Overdue invoice 7731", "Message-ID", "<invoice-7731@billing-notice.top>", "Headers")
}

func TestToolsDecodeAndAliases(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.tab("Tools")
	h.press("u")
	h.typeText(mimecasttest.EncodeURL("http://billing-notice.top/login?inv=7731"))
	h.press("enter")
	h.noErrors()
	h.see("Original  http://billing-notice.top/login?inv=7731")
	h.press("a")
	h.typeText("j.doe@example.com")
	h.press("enter")
	h.noErrors()
	h.see("john.doe@example.com", "jd@example.co.uk")
}

func TestReleaseAndRejectHeldAskFirst(t *testing.T) {
	seed := sample()
	seed.Held = append(seed.Held, mimecasttest.HeldMessage{Subject: "Second held", From: "x@evil.example", To: "a.smith@example.com",
		Received: testNow.Add(-time.Hour), Reason: "Spam"})
	h := newHarness(t, 120, 30, seed)
	h.tab("Held")
	h.see("Held messages · 2 messages")
	h.press("R")
	h.see(`Release "Overdue invoice 7731"`)
	h.press("esc")
	if len(h.srv.HeldMessages()) != 2 {
		t.Fatal("esc released the message")
	}
	h.press("R", "y")
	h.noErrors()
	h.see("Held messages · 1 message", "Second held")
	h.audited("release-held")

	h.press("X")
	h.see("Reject held message Second held")
	h.press("right", "tab")
	h.typeText("no thanks")
	h.press("enter")
	h.see(`Reject "Second held" from x@evil.example?`)
	h.press("y")
	h.noErrors()
	h.see("Held messages · 0 messages")
	h.audited("reject-held")
}

func TestServerErrorsGoToTheStatusBar(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultFail, Path: "/api/managedsender/get-managed-senders",
		Code: "err_permission", Message: "no \x1b[31mred\x1b[0m access"})
	h.tab("Senders")
	if len(h.errs) != 1 || strings.Contains(h.errs[0], "\n") {
		t.Fatalf("errors = %q, want one line", h.errs)
	}
	h.see("✗ list managed senders:", "⟨CSI 31m⟩")
	if strings.Contains(h.m.Render(), "\x1b") {
		t.Fatal("an escape sequence from the server reached the screen")
	}
}

func TestRateLimitShowsInStatus(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	if s := h.m.Status(); !strings.HasPrefix(s, "Mimecast · HMAC · 127.0.0.1:") || strings.Contains(s, "calls left") {
		t.Fatalf("status %q", s)
	}
	h.m.SetSize(80, 24) // narrow: the status bar keeps room for errors
	if s := h.m.Status(); s != "Mimecast · HMAC" {
		t.Fatalf("status at 80 columns %q", s)
	}
	h.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultRateLimit, Path: "/api/policy/blockedsenders/get-policy", Reset: 10 * time.Minute})
	h.press("ctrl+r")
	if s := h.m.Status(); s != "Mimecast · rate limited, calls allowed again in 10m0s" {
		t.Fatalf("status %q", s)
	}
}

func TestKeysRebindFromConfig(t *testing.T) {
	h := newHarness(t, 120, 30, sample(), withKeys(map[string][]string{"block": {"B"}, "next_tab": {"L"}}))
	h.press("L")
	h.see("[Senders]")
	h.press("b")
	if h.m.Capturing() {
		t.Fatal("b still opens the form")
	}
	h.press("B")
	h.see("Block a sender")
	h.press("esc")
	if got := h.m.ShortHelp()[0].Help().Key; got != "B" {
		t.Fatalf("help shows %q for block", got)
	}
}

func TestBadKeyOverrideIsReported(t *testing.T) {
	h := newHarness(t, 120, 30, sample(), withKeys(map[string][]string{"launch": {"L"}}))
	if len(h.errs) != 1 || !strings.Contains(h.errs[0], "keys.mimecast.launch: no such action") {
		t.Fatalf("errors = %q", h.errs)
	}
}

// Hostile server text: a policy whose description carries OSC 52 (set
// the clipboard), a screen clear and a bidi override is drawn with
// markers, in the list, the detail page and the edit form.
func TestHostileServerStringsRenderSafely(t *testing.T) {
	seed := sample()
	evil := "\x1b]52;c;ZWNobyBwd25lZA==\x07Pay\x1b[2Jnow \u202egpj.exe"
	seed.Policies = append(seed.Policies, mimecasttest.Policy{Option: "block_sender", Description: evil,
		FromType: "individual_email_address", FromValue: "a\x1b[31m@evil.example", ToType: "everyone"})
	h := newHarness(t, 120, 30, seed)
	check := func(where string) {
		t.Helper()
		out := h.m.Render()
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Fatalf("%s: a control character from the server reached the screen: %q", where, out)
		}
		h.see("⟨OSC 52⟩", "⟨CSI 2J⟩", "⟨RLO⟩")
	}
	h.press("j")
	check("list")
	h.press("enter")
	check("detail")
	h.press("esc", "e")
	check("edit form")
}

// Render keeps its promise at both standard sizes, on every tab, with a
// form, a question and a detail page open.
func TestRenderFitsTheArea(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}, {40, 8}} {
		w, h := size[0], size[1]
		hs := newHarness(t, w, h, sample())
		check := func(what string) {
			t.Helper()
			lines := strings.Split(hs.m.Render(), "\n")
			if len(lines) != h {
				t.Fatalf("%dx%d %s: %d lines", w, h, what, len(lines))
			}
			for i, l := range lines {
				if ansi.StringWidth(l) > w {
					t.Fatalf("%dx%d %s: line %d is %d wide: %q", w, h, what, i, ansi.StringWidth(l), l)
				}
			}
		}
		for range tabCount {
			check(hs.m.tabs[hs.m.tab].name())
			hs.press("]")
		}
		hs.press("n")
		check("policy form")
		for range 12 {
			hs.press("tab")
			check("policy form, lower fields")
		}
		hs.press("esc", "d")
		check("question")
		hs.press("esc", "enter")
		check("detail")
		hs.press("esc")
		hs.tab("Tracking")
		hs.run(hs.m.OpenTracking("invoice-7731@billing-notice.top"))
		hs.press("enter")
		check("message info")
	}
}

// A detail page that arrives after the analyst pressed esc does not
// reopen: esc cancelled the request and its answer is stale.
func TestDetailAnsweredAfterEscDoesNotReopen(t *testing.T) {
	h := newHarness(t, 160, 48, sample())
	h.run(h.m.OpenTracking("weekly-42@news.example.org"))
	h.see("Your weekly digest")
	_, slow := h.m.Update(uitest.Key("enter")) // the detail request, not yet run
	h.press("esc")
	h.run(slow)
	h.noErrors()
	if strings.Contains(h.screen(), "Message info: Your weekly digest") {
		t.Fatalf("a detail answered after esc reopened the page:\n%s", h.screen())
	}
	h.press("enter")
	h.see("Message info: Your weekly digest")
}

// Without [mimecast] the screen says so and asks nothing: the session's
// nil client must not become a Gateway that is not nil.
func TestWithoutMimecastTheScreenSaysSo(t *testing.T) {
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewPlainStyles(), Jobs: jobs.NewRunner(5),
		Now: func() time.Time { return testNow }}, Actions: uitest.Actions(t)}
	m := New(c)
	if m.client != nil {
		t.Fatalf("client %#v, want none", m.client)
	}
	m.SetSize(100, 10)
	uitest.Drive(m, m.Init(), nil)
	_, cmd := m.Update(uitest.Key("ctrl+r"))
	uitest.Drive(m, cmd, nil)
	if got := uitest.Plain(m.Render()); !strings.Contains(got, "Mimecast is not configured in this session.") {
		t.Fatalf("screen:\n%s", got)
	}
}
