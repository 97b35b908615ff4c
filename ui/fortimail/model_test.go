package fortimail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/audit"
	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// focus moves the open form's focus to the field with wire name name.
func (h *harness) focus(name string) {
	h.t.Helper()
	f := h.m.form
	if f == nil {
		h.t.Fatalf("no form open:\n%s", h.screen())
	}
	for range len(f.specs) {
		if f.Focused() == name {
			return
		}
		h.press("tab")
	}
	h.t.Fatalf("the form has no field %q", name)
}

// setText replaces the focused text field's value.
func (h *harness) setText(s string) {
	h.press("ctrl+a", "ctrl+k")
	h.typeText(s)
}

// openSessionProfile shows the session profiles tab and opens name.
func (h *harness) openSessionProfile(name string) {
	h.t.Helper()
	h.press("tab")
	h.requireScreen(name)
	for i, it := range h.m.session.items {
		if it.Name == name {
			h.m.session.cur.pos = i
		}
	}
	h.press("enter")
	h.requireScreen("Session profiles › "+name, "Connection settings")
}

// audited returns the intent and result records of the last action.
func (h *harness) audited(action string) (intent, result audit.Record) {
	h.t.Helper()
	recs, err := h.c.Actions.Remedy.Audit.Recent(100)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range recs { // newest first
		if r.Action != action {
			continue
		}
		switch r.Phase {
		case audit.PhaseResult:
			if result.ID == "" {
				result = r
			}
		case audit.PhaseIntent:
			if intent.ID == "" && r.ID == result.ID {
				intent = r
			}
		}
	}
	if intent.ID == "" || result.ID == "" {
		h.t.Fatalf("no intent and result records for %s in %+v", action, recs)
	}
	return intent, result
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestEveryTabLoadsFromTheAppliance(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.requireScreen("Domains", "example.com", "192.0.2.25:25", "mail.example.net", "subdomain of example.net")
	steps := []struct {
		key  string
		want []string
	}{
		{"tab", []string{"Session profiles", "Inbound_Session", "Strict_Inbound", "SystemQuarantine", "Hardened profile"}},
		{"]", []string{"Antispam profiles (system)", "AS_Inbound_High", "Aggressive inbound antispam", "1 policy"}},
		{"]", []string{"Greylist", "news@promo.example.net", "Auto-exempt", "partner.example.org"}},
		{"tab", []string{"Sender lists", "session profile Strict_Inbound", "recipient block list", "sender safe list"}},
		{"tab", []string{"example.org"}},
		{"shift+tab", []string{"session profile Inbound_Session"}},
		{"[", []string{"Auto-exempt greylist"}},
	}
	for _, s := range steps {
		h.press(s.key)
		h.requireScreen(s.want...)
	}
	h.noErrors()
}

func TestDomainShowsItsAntispamProfilesAndRecipientPolicies(t *testing.T) {
	h := newHarness(t, 160, 40)
	h.press("j", "enter") // example.com
	h.requireScreen("Domains › example.com", "Antispam profiles (1)", "AS_Finance",
		"Recipient policies (3)", "inbound", "outbound", "finance@example.com", "*@example.com",
		"AS_Inbound@system", "AV AV_Discard@system", "AS_Outbound@system")
	// A policy opens in full, grouped.
	h.press("j", "j", "enter")
	h.requireScreen("recipient policy 2", "Recipient pattern", "finance", "Profiles", "AS_Finance@example.com")
	h.press("esc", "k", "k", "k", "enter")
	// The domain's antispam profile opens on the antispam tab, scoped.
	h.requireScreen("Antispam profiles (example.com) › AS_Finance", "User quarantine")
	h.press("pgdown") // every key is shown now: DMARC is below the first page
	h.requireScreen("DMARC action")
	h.noErrors()
}

func TestEditSessionProfileShowsTheDiffAndSendsOnlyTheChangedField(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.openSessionProfile("Strict_Inbound")
	h.requireScreen("Connection idle timeout (seconds)", "20")
	h.press("e")
	if !h.m.Capturing() {
		t.Fatal("the form does not have the keyboard")
	}
	h.focus("conn_idle_timeout")
	h.setText("60")
	h.srv.ResetRequests()
	h.press("enter")
	h.requireScreen("Connection idle timeout (seconds) (conn_idle_timeout): 20 → 60",
		`Send 1 change(s) to session profile "Strict_Inbound"?`)
	if n := len(h.requests(http.MethodPut, "")); n != 0 {
		t.Fatalf("%d PUTs before the analyst said yes", n)
	}
	h.press("y")
	h.noErrors()
	puts := h.requests(http.MethodPut, "ProfSession/Strict_Inbound")
	if len(puts) != 1 {
		t.Fatalf("%d PUTs, want 1: %+v", len(puts), h.srv.Requests())
	}
	if body := puts[0].Fields(); !reflect.DeepEqual(keysOf(body), []string{"conn_idle_timeout"}) || body["conn_idle_timeout"] != float64(60) {
		t.Fatalf("PUT carried %v, want only conn_idle_timeout=60", body)
	}
	if h.m.Capturing() {
		t.Fatal("the form is still open after the update")
	}
	scr := h.requireScreen("Session profiles › Strict_Inbound")
	if !strings.Contains(scr, "Connection idle timeout (seconds)") || !regexpLine(scr, "Connection idle timeout", "60") {
		t.Fatalf("the detail does not show the new value:\n%s", scr)
	}
	if !slices.Contains(h.infos, `session profile "Strict_Inbound" updated (1 field(s))`) {
		t.Errorf("infos %q", h.infos)
	}
	intent, result := h.audited("fortimail-update-session-profile")
	if intent.Account != "fortimail" || !strings.Contains(intent.Detail, "conn_idle_timeout): 20 → 60") || intent.Operator != "tester" {
		t.Errorf("intent %+v", intent)
	}
	if result.Result != "ok" {
		t.Errorf("result %+v", result)
	}
}

// regexpLine reports whether a line of s holds label and then value.
func regexpLine(s, label, value string) bool {
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, label); i >= 0 && strings.Contains(l[i+len(label):], value) {
			return true
		}
	}
	return false
}

func TestTogglesAndChoicesAreEditedWithoutTyping(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.openSessionProfile("Strict_Inbound")
	h.press("e")
	h.focus("eom_ack")
	h.press("space")
	h.focus("spf")
	h.press("right") // Enable → Disable
	h.focus("action")
	h.press("left", "left", "right") // SystemQuarantine → Replace → Reject → Replace
	h.srv.ResetRequests()
	h.press("enter")
	h.requireScreen("SPF check (spf): 1 → 0", "ACK EOM before antispam check (eom_ack): false → true",
		`Session action (action): "SystemQuarantine" → "Replace"`, "Send 3 change(s)")
	h.press("y")
	h.noErrors()
	puts := h.requests(http.MethodPut, "ProfSession/Strict_Inbound")
	if len(puts) != 1 {
		t.Fatalf("%d PUTs, want 1", len(puts))
	}
	body := puts[0].Fields()
	if want := []string{"action", "eom_ack", "spf"}; !reflect.DeepEqual(keysOf(body), want) {
		t.Fatalf("PUT carried %v, want %v", keysOf(body), want)
	}
	if body["eom_ack"] != true || body["spf"] != float64(0) || body["action"] != "Replace" {
		t.Errorf("PUT body %v", body)
	}
}

func TestInvalidValuesAreShownAndNothingIsSent(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.openSessionProfile("Strict_Inbound")
	h.press("e")
	h.focus("conn_idle_timeout")
	h.setText("5000")
	h.focus("sender_reputation_reject")
	h.setText("lots")
	h.srv.ResetRequests()
	h.press("enter")
	h.requireScreen("must be 1–1200", "a whole number", "2 field(s) need attention: nothing was sent")
	if h.m.overlay != nil {
		t.Fatal("the diff was offered for invalid values")
	}
	if f := h.m.form.Focused(); f != "conn_idle_timeout" {
		t.Errorf("focus on %s, want the first invalid field", f)
	}
	// Esc leaves the form; the appliance never heard of it.
	h.press("esc")
	if h.m.Capturing() || len(h.requests(http.MethodPut, "")) != 0 {
		t.Fatalf("form open %v, requests %+v", h.m.Capturing(), h.srv.Requests())
	}
	if !slices.Contains(h.infos, "edit cancelled: nothing was sent") {
		t.Errorf("infos %q", h.infos)
	}
}

func TestSayingNoToTheDiffKeepsTheFormAndSendsNothing(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.openSessionProfile("Inbound_Session")
	h.press("e")
	h.focus("conn_concurrent")
	h.setText("12")
	h.press("enter", "n")
	if h.m.form == nil || h.m.overlay != nil {
		t.Fatal("no should go back to the form")
	}
	h.press("enter") // the same diff again
	h.requireScreen("(conn_concurrent): 10 → 12")
	h.press("esc")
	if len(h.requests(http.MethodPut, "")) != 0 {
		t.Fatal("a PUT went out")
	}
}

func TestCreateAndDeleteSessionProfile(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.press("tab", "n")
	h.requireScreen("New session profile", "Profile name")
	// A name is required before anything is sent.
	h.press("enter")
	h.requireScreen("a name is required")
	h.typeText("bad name")
	h.press("enter")
	h.requireScreen("letters, digits, _ - and . only")
	h.setText("Triage_Test")
	h.focus("conn_concurrent")
	h.setText("3")
	h.press("enter")
	h.requireScreen(`Create session profile "Triage_Test"?`, "(conn_concurrent): 0 → 3")
	h.press("y")
	h.noErrors()
	if n := len(h.requests(http.MethodPost, "ProfSession/Triage_Test")); n != 1 {
		t.Fatalf("%d POSTs, want 1", n)
	}
	h.requireScreen("Session profiles › Triage_Test", "Concurrent connections per client")
	h.audited("fortimail-create-session-profile")

	// Delete asks first; no keeps it.
	h.press("d")
	h.requireScreen(`Delete session profile "Triage_Test"? This cannot be undone.`)
	h.press("n")
	if len(h.requests(http.MethodDelete, "")) != 0 {
		t.Fatal("a DELETE went out after no")
	}
	h.press("d", "y")
	h.noErrors()
	if n := len(h.requests(http.MethodDelete, "ProfSession/Triage_Test")); n != 1 {
		t.Fatalf("%d DELETEs, want 1", n)
	}
	scr := h.requireScreen("Session profiles", "Strict_Inbound")
	if strings.Contains(scr, "Triage_Test") {
		t.Fatalf("the deleted profile is still listed:\n%s", scr)
	}
	if _, res := h.audited("fortimail-delete-session-profile"); res.Result != "ok" {
		t.Errorf("delete result %+v", res)
	}
}

func TestAntispamProfileOfADomainIsEdited(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.press("tab", "tab")
	h.requireScreen("Antispam profiles (system)", "AS_Outbound")
	h.press("s")
	h.requireScreen("Antispam profiles (example.com)", "AS_Finance")
	h.press("e") // e on the list opens the profile straight into the form
	h.requireScreen(`Edit antispam profile "AS_Finance"`, "Default action")
	h.focus("action_dmarc")
	h.press("right") // User quarantine → Tag subject
	h.press("enter")
	h.requireScreen(`DMARC action (action_dmarc): "UserQuarantine" → "TagSubject"`)
	h.press("y")
	h.noErrors()
	puts := h.requests(http.MethodPut, "domain/example.com/ProfAntispam/AS_Finance")
	if len(puts) != 1 || !reflect.DeepEqual(keysOf(puts[0].Fields()), []string{"action_dmarc"}) {
		t.Fatalf("PUTs %+v", puts)
	}
	if intent, _ := h.audited("fortimail-update-antispam-profile"); !strings.HasPrefix(intent.Detail, "example.com antispam profile") {
		t.Errorf("intent detail %q", intent.Detail)
	}
	// A referenced profile: the question says the appliance will refuse.
	h.press("esc", "s", "s", "s") // back to the list, round to system
	h.requireScreen("Antispam profiles (system)")
	h.press("d")
	h.requireScreen("1 policy(ies) use it")
	h.press("y")
	if len(h.errs) != 1 || !strings.Contains(h.errs[0].Error(), `delete antispam profile "AS_Inbound"`) {
		t.Fatalf("errors %v", h.errs)
	}
}

func TestSenderListEntriesAreAddedAndRemoved(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.press("[") // Sender lists
	h.requireScreen("Sender lists", "system")
	h.press("enter")
	h.requireScreen("sender block list of system", "*@phish.example.net", "Entries (3)")

	// Checked before sending: one entry, no spaces.
	h.press("a")
	h.typeText("a b@example.net")
	h.press("enter")
	h.requireScreen("one entry at a time")
	h.press("ctrl+a", "ctrl+k")
	h.typeText("*@evil.example.net")
	h.press("enter")
	h.noErrors()
	h.requireScreen("Entries (4)", "*@evil.example.net")
	if got := h.srv.Snapshot().SenderLists[fortimailtest.System].Block; !slices.Contains(got, "*@evil.example.net") {
		t.Fatalf("system block list %v", got)
	}
	h.audited("fortimail-add-to-sender-list")

	h.m.lists.ecur.pos = slices.Index(h.m.lists.entries, "*@evil.example.net")
	h.press("d")
	h.requireScreen(`Remove "*@evil.example.net" from sender block list of system?`)
	h.press("y")
	h.noErrors()
	h.requireScreen("Entries (3)")
	if got := h.srv.Snapshot().SenderLists[fortimailtest.System].Block; slices.Contains(got, "*@evil.example.net") {
		t.Fatalf("still listed: %v", got)
	}
	h.audited("fortimail-remove-from-sender-list")

	// A session profile's own list, straight from the catalogue.
	h.press("esc")
	for i, r := range h.m.lists.refs {
		if r.session == "Strict_Inbound" && r.slist == bfm.SessionSenderSafeList {
			h.m.lists.cur.pos = i
		}
	}
	h.press("a")
	h.typeText("ceo@partner.example.org")
	h.press("enter")
	h.noErrors()
	if got := h.srv.Snapshot().SessionLists["Strict_Inbound"].SenderSafe; !slices.Contains(got, "ceo@partner.example.org") {
		t.Fatalf("session safe list %v", got)
	}
	h.audited("fortimail-add-to-session-list")
}

func TestSessionExpiryMidUseIsTransparent(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.openSessionProfile("Strict_Inbound")
	h.press("e")
	h.focus("conn_concurrent")
	h.setText("7")
	h.srv.ExpireSessions() // the admin idle timeout strikes while the analyst types
	h.press("enter", "y")
	h.noErrors()
	h.requireScreen("Session profiles › Strict_Inbound")
	h.srv.ExpireSessions()
	h.press("]", "]")
	h.requireScreen("news@promo.example.net")
	h.noErrors()
	if h.srv.Logins() != 3 {
		t.Errorf("%d logins, want 3 (one per expiry)", h.srv.Logins())
	}
	if got := seedProfile(h.srv.Snapshot(), "Strict_Inbound"); toJSON(got["conn_concurrent"]) != "7" {
		t.Errorf("the update did not land: %v", got)
	}
}

// seedProfile returns the emulator's stored copy of a session profile.
func seedProfile(d fortimailtest.SeedData, name string) fortimailtest.Object {
	for _, p := range d.SessionProfiles {
		if p["mkey"] == name {
			return p
		}
	}
	return nil
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestHostileStringsFromTheApplianceRenderSafely(t *testing.T) {
	hostile := func(d *fortimailtest.SeedData, _ *session.Session) {
		d.SessionProfiles = append(d.SessionProfiles, fortimailtest.Object{
			"mkey": "Evil_Profile", "comment": "\x1b[2J\x1b]0;pwned\x07 clear\u202eeman\u200b",
		})
		d.Greylist = append(d.Greylist, fortimailtest.Object{"mkey": "9", "sender": "x\x1b[31m@evil.example", "ip": "203.0.113.9"})
		l := d.SenderLists[fortimailtest.System]
		l.Block = append(l.Block, "evil\u202egnp.example")
		d.SenderLists[fortimailtest.System] = l
	}
	h := newHarness(t, 120, 30, hostile)
	check := func(where string) {
		t.Helper()
		// Our own styling (SGR) aside, nothing may reach the terminal.
		raw := sgr.ReplaceAllString(h.m.Render(), "")
		for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u200b"} {
			if strings.Contains(raw, bad) {
				t.Fatalf("%s: %q reached the terminal:\n%s", where, bad, raw)
			}
		}
		if !strings.Contains(raw, "⟨") {
			t.Fatalf("%s: no marker shows what was hidden:\n%s", where, raw)
		}
	}
	h.openSessionProfile("Evil_Profile")
	check("detail")
	h.requireScreen("⟨CSI 2J⟩⟨OSC 0⟩ clear⟨RLO⟩eman⟨ZWSP⟩")
	h.press("esc")
	check("list")
	h.press("enter", "e") // the form, focus on the hostile comment
	check("form")
	h.focus("conn_concurrent")
	h.setText("4")
	h.press("enter")
	check("diff")
	h.requireScreen("Send 1 change(s)") // the untouched comment is not a change
	h.press("y")
	h.noErrors()
	if body := h.requests(http.MethodPut, "Evil_Profile")[0].Fields(); !reflect.DeepEqual(keysOf(body), []string{"conn_concurrent"}) {
		t.Fatalf("PUT %v", body)
	}
	h.press("]", "]")
	check("greylist")
	h.requireScreen("x⟨CSI 31m⟩@evil.example")
	h.press("]", "enter")
	check("sender list")
	h.requireScreen("evil⟨RLO⟩gnp.example")
}

func TestScreenFitsAt80x24And160x48(t *testing.T) {
	for _, size := range [][2]int{{80, 21}, {160, 45}, {40, 5}} {
		h := newHarness(t, size[0], size[1])
		w, ht := size[0], size[1]
		check := func(where string) {
			t.Helper()
			lines := strings.Split(h.m.Render(), "\n")
			if len(lines) != ht {
				t.Fatalf("%dx%d %s: %d lines", w, ht, where, len(lines))
			}
			for i, l := range lines {
				if n := ansi.StringWidth(l); n > w {
					t.Fatalf("%dx%d %s: line %d is %d wide: %q", w, ht, where, i, n, l)
				}
			}
		}
		check("domains")
		h.press("j", "enter")
		check("domain")
		h.press("G", "enter")
		check("policy")
		h.press("esc", "esc", "tab")
		check("session profiles")
		h.press("G", "enter")
		check("session profile")
		h.press("e")
		check("form")
		h.focus("conn_idle_timeout")
		h.setText("1")
		h.focus("conn_concurrent")
		h.setText("99999")
		h.press("enter")
		check("form errors")
		h.focus("conn_concurrent")
		h.setText("9")
		h.press("enter")
		check("diff")
		h.press("esc", "esc", "esc", "tab")
		check("antispam profiles")
		h.press("enter")
		check("antispam profile")
		h.press("esc", "tab")
		check("greylist")
		h.press("tab")
		check("sender lists")
		h.press("enter", "a")
		check("input")
		h.press("esc", "d")
		check("remove question")
	}
}

func TestInsecureTLSIsAWarningInTheStatus(t *testing.T) {
	h := newHarness(t, 120, 30, func(_ *fortimailtest.SeedData, c *session.Session) { c.Gateways.FortiMailInsecure = true })
	if st := h.m.Status(); !strings.Contains(st, "⚠ TLS NOT VERIFIED (verify_tls = false)") || !strings.Contains(st, "3 domains") {
		t.Fatalf("status %q", st)
	}
	h.requireScreen("⚠ TLS NOT VERIFIED")
	h.press("tab")
	if st := h.m.Status(); !strings.Contains(st, "verify_tls = false") {
		t.Fatalf("status on another tab %q", st)
	}
	if st := newHarness(t, 120, 30).m.Status(); strings.Contains(st, "TLS") {
		t.Fatalf("warning without reason: %q", st)
	}
}

func TestShowSenderListsSwitchesAndReloads(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.press("[", "enter") // the system block list is open
	h.requireScreen("Entries (3)")
	h.press("[", "[")
	h.srv.ResetRequests()
	// Something else (the mailbox's block) changes the list meanwhile.
	snap := h.srv.Snapshot()
	l := snap.SenderLists[fortimailtest.System]
	l.Block = append(l.Block, "new@block.example")
	snap.SenderLists[fortimailtest.System] = l
	h.srv.Seed(snap)
	h.run(h.m.ShowSenderLists())
	if len(h.shown) != 1 || h.shown[0].Name != "fortimail" {
		t.Fatalf("ShowScreenMsg %+v", h.shown)
	}
	h.requireScreen("Sender lists › sender block list of system", "Entries (4)", "new@block.example")
}

func TestKeysAreRebindable(t *testing.T) {
	h := newHarness(t, 120, 30, func(_ *fortimailtest.SeedData, c *session.Session) {
		c.Keys = map[string]map[string][]string{"fortimail": {"next_tab": {"L"}}}
	})
	h.press("tab")
	h.requireScreen("Domains", "example.com")
	h.press("L")
	h.requireScreen("Inbound_Session")
	if got := helpLine(h.m.ShortHelp()); !strings.Contains(got, "L next tab") {
		t.Fatalf("help %q", got)
	}
	bad := newHarness(t, 120, 30, func(_ *fortimailtest.SeedData, c *session.Session) {
		c.Keys = map[string]map[string][]string{"fortimail": {"nxt": {"x"}}}
	})
	if len(bad.errs) != 1 || !strings.Contains(bad.errs[0].Error(), "keys.fortimail.nxt: no such action") {
		t.Fatalf("errors %v", bad.errs)
	}
}

// The console starts every screen at once; FortiMail is contacted only
// when its screen is shown.
func TestNothingIsContactedUntilTheScreenIsShown(t *testing.T) {
	srv := fortimailtest.New(fortimailtest.Options{})
	t.Cleanup(srv.Close)
	h := newHarness(t, 80, 20)
	m := New(h.c)
	m.SetSize(80, 20)
	got := make(chan tea.Msg, 1)
	init := m.Init()
	go func() { got <- init() }()
	h.srv.ResetRequests()
	select {
	case msg := <-got:
		t.Fatalf("Init answered %T before the screen was shown", msg)
	default:
	}
	m.Render()
	if msg := <-got; msg != (shownMsg{}) {
		t.Fatalf("Init answered %T", msg)
	}
	if len(h.srv.Requests()) != 0 {
		t.Fatalf("requests before the screen was shown: %+v", h.srv.Requests())
	}
}

// A reply to a request that a newer one replaced is dropped, however
// good its news: the slot's ticket, not the reply, decides.
func TestStaleRepliesAreDropped(t *testing.T) {
	h := newHarness(t, 120, 30)
	replaced := h.m.domains.load(h.m) // asked, not yet answered
	h.press("ctrl+r")                 // asked again, answered and drawn
	msg, ok := firstOf[domainsMsg](replaced)
	if !ok {
		t.Fatal("the replaced request sent no domainsMsg")
	}
	msg.domains, msg.err = []bfm.Domain{{Name: "stale.example"}}, nil
	h.m.Update(msg)
	if strings.Contains(h.screen(), "stale.example") {
		t.Fatal("a reply to a replaced request was painted")
	}
}

// Closing a domain cancels the request for its profiles and policies:
// the appliance holds the answer, and the request ends (its context is
// cancelled) as soon as the analyst leaves, not when the answer comes.
func TestClosingADomainCancelsItsRequest(t *testing.T) {
	h := newHarness(t, 160, 40)
	hold := make(chan struct{})
	defer close(hold)
	h.srv.InjectFault(fortimailtest.Fault{Path: "domain/example.com/", Hold: hold})
	h.press("j")
	_, open := h.m.Update(uitest.Key("enter"))
	ended := make(chan tea.Msg, 1)
	go func() {
		msg, _ := firstOf[domainMsg](open)
		ended <- msg
	}()
	h.press("esc")
	select {
	case msg := <-ended:
		if msg.(domainMsg).err == nil {
			t.Fatal("the held request ended without an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the domain's request still runs 10s after the domain was closed")
	}
	h.noErrors()
	h.requireScreen("Domains")
}

// firstOf runs cmd (and the commands of its batches, not what the
// messages lead to) and returns the first message of type T.
func firstOf[T tea.Msg](cmd tea.Cmd) (T, bool) {
	var zero T
	if cmd == nil {
		return zero, false
	}
	switch msg := cmd().(type) {
	case T:
		return msg, true
	case tea.BatchMsg:
		for _, c := range msg {
			if v, ok := firstOf[T](c); ok {
				return v, true
			}
		}
	}
	return zero, false
}

func TestLoadFailureIsReportedAndRetried(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.srv.InjectFault(fortimailtest.Fault{Path: "AsGreylist", Status: http.StatusInternalServerError, ErrorMsg: "boom", Times: 1})
	h.press("]", "]", "]")
	h.requireScreen("could not load greylists", "ctrl+r tries again")
	if len(h.errs) != 1 || !strings.Contains(h.errs[0].Error(), "greylists") {
		t.Fatalf("errors %v", h.errs)
	}
	h.press("ctrl+r")
	h.requireScreen("news@promo.example.net")
}

func TestCapturingWhileAFormOrQuestionIsOpen(t *testing.T) {
	h := newHarness(t, 120, 30)
	if h.m.Capturing() {
		t.Fatal("capturing on the list")
	}
	h.press("tab", "d")
	if !h.m.Capturing() {
		t.Fatal("not capturing with a question open")
	}
	h.press("esc", "n")
	if !h.m.Capturing() || h.m.form == nil {
		t.Fatal("not capturing with a form open")
	}
	h.press("3", "q") // typed into the name, not the console's keys
	if v := h.m.form.Value("mkey"); v != "3q" {
		t.Fatalf("name %q", v)
	}
}

func TestRefusedLoginIsReportedWithoutThePassword(t *testing.T) {
	h := newHarness(t, 120, 30)
	h.press("[") // the sender lists, with the right password
	const secret = "wrong-Secret-4711"
	bad, err := bfm.New(bfm.Options{URL: h.srv.URL(), Username: h.srv.Username(),
		Password: func(context.Context) (string, error) { return secret, nil }})
	if err != nil {
		t.Fatal(err)
	}
	h.c.Gateways.FortiMail = bad
	h.press("ctrl+r")
	if len(h.errs) != 1 || !errors.Is(h.errs[0], bfm.ErrLoginRefused) {
		t.Fatalf("errors %v", h.errs)
	}
	// A change is refused the same way, and audited as failed.
	h.press("a")
	h.typeText("x@evil.example")
	h.press("enter")
	if len(h.errs) != 2 || !errors.Is(h.errs[1], bfm.ErrLoginRefused) {
		t.Fatalf("errors %v", h.errs)
	}
	if _, res := h.audited("fortimail-add-to-sender-list"); res.Result != "failed" {
		t.Errorf("result %+v", res)
	}
	recs, _ := h.c.Actions.Remedy.Audit.Recent(10)
	seen := h.screen() + fmt.Sprint(h.errs) + fmt.Sprint(recs) + fmt.Sprint(h.infos)
	if strings.Contains(seen, secret) {
		t.Fatalf("the password was shown or logged:\n%s", seen)
	}
}

// The screen's questions answer to [keys.dialog]: with yes rebound to o,
// y no longer removes an entry, o does, and the question names o.
func TestQuestionsAnswerToTheDialogKeys(t *testing.T) {
	h := newHarness(t, 120, 30, func(_ *fortimailtest.SeedData, c *session.Session) {
		d := common.DefaultDialogKeys()
		d.Yes = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "yes"))
		c.Dialog = d
	})
	h.press("[", "enter", "j", "d")
	h.requireScreen("o yes")
	h.press("y")
	h.requireScreen("o yes") // not an answer: still asked
	before := len(h.srv.Snapshot().SenderLists[fortimailtest.System].Block)
	h.press("o")
	h.noErrors()
	if after := len(h.srv.Snapshot().SenderLists[fortimailtest.System].Block); after != before-1 {
		t.Fatalf("block list has %d entries after o, want %d", after, before-1)
	}
}

// Without [fortimail] every tab says so instead of calling a client that
// is not there (a nil *Client must not become a Gateway that is not nil).
func TestWithoutFortiMailEveryLoadSaysSo(t *testing.T) {
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewPlainStyles(), Jobs: jobs.NewRunner(5),
		Now: func() time.Time { return testNow }}, Actions: uitest.Actions(t)}
	m := New(c)
	if m.client() != nil {
		t.Fatalf("client %#v, want none", m.client())
	}
	m.SetSize(100, 20)
	m.Render()
	var errs []error
	uitest.Drive(m, m.Init(), func(msg tea.Msg) {
		if e, ok := msg.(common.ErrorMsg); ok {
			errs = append(errs, e.Err)
		}
	})
	if len(errs) == 0 || !errors.Is(errs[0], errNotConfigured) {
		t.Fatalf("errors %v, want %v", errs, errNotConfigured)
	}
}
