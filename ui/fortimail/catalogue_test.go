package fortimail

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// wireKeys returns every key the appliance sends for obj but mkey.
func wireKeys(t *testing.T, obj any) []string {
	t.Helper()
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "mkey")
	return keysOf(m)
}

// Every key of every profile the appliance holds has a place on the
// detail page (and in the edit form), under a section of the manual: none
// falls to "Other settings" or to a "+N more" line.
func TestEveryProfileKeyIsCatalogued(t *testing.T) {
	h := newHarness(t, 100, 20)
	client := h.c.Gateways.FortiMail
	ctx := context.Background()
	sessions, err := client.ListSessionProfiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sessions {
		p, err := client.GetSessionProfile(ctx, s.Name)
		if err != nil {
			t.Fatal(err)
		}
		requireCatalogued(t, s.Name, wireKeys(t, p), profileFields(p))
	}
	for _, scope := range []string{bfm.System, "example.com"} {
		list, err := client.ListAntispamProfiles(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			p, err := client.GetAntispamProfile(ctx, scope, s.Name)
			if err != nil {
				t.Fatal(err)
			}
			requireCatalogued(t, s.Name, wireKeys(t, p), profileFields(p))
		}
	}
}

func requireCatalogued(t *testing.T, name string, keys []string, fields []bfm.Field) {
	t.Helper()
	byName := map[string]bfm.Field{}
	for _, f := range fields {
		if _, dup := byName[f.Name]; dup {
			t.Errorf("%s: %s is shown twice", name, f.Name)
		}
		byName[f.Name] = f
	}
	for _, k := range keys {
		f, ok := byName[k]
		switch {
		case !ok:
			t.Errorf("%s: key %s is not shown", name, k)
		case f.Group == otherSection || f.Group == "" || f.Label == k:
			t.Errorf("%s: key %s has no section or label of its own: %+v", name, k, f)
		}
	}
	if len(fields) != len(keys) {
		t.Errorf("%s: %d fields for %d keys", name, len(fields), len(keys))
	}
}

// withUnknownKeys gives Strict_Inbound keys a newer firmware might send:
// a single value (editable, by its name) and an object (shown read-only).
func withUnknownKeys(seed *fortimailtest.SeedData, _ *session.Session) {
	for _, p := range seed.SessionProfiles {
		if p["mkey"] == "Strict_Inbound" {
			p["zz_future_limit"] = 7
			p["zz_future_table"] = map[string]any{"rows": []int{1, 2}}
		}
	}
}

func TestUnknownKeysShowUnderOtherSettings(t *testing.T) {
	h := newHarness(t, 100, 200, withUnknownKeys)
	h.openSessionProfile("Strict_Inbound")
	scr := h.requireScreen("Other settings", "zz_future_limit", "Other settings (read-only: not single values)",
		`zz_future_table`, `{"rows":[1,2]}`)
	if strings.Contains(scr, "more settings") {
		t.Fatalf("a key is still hidden behind a count:\n%s", scr)
	}
	h.press("e")
	h.focus("zz_future_limit")
	h.setText("9")
	h.srv.ResetRequests()
	h.press("enter")
	h.requireScreen("zz_future_limit: 7 → 9")
	h.press("y")
	h.noErrors()
	puts := h.requests(http.MethodPut, "ProfSession/Strict_Inbound")
	if len(puts) != 1 || !reflect.DeepEqual(puts[0].Fields(), map[string]any{"zz_future_limit": float64(9)}) {
		t.Fatalf("PUTs %+v, want one with only zz_future_limit=9", puts)
	}
}

// Keys the backend does not model are edited like the others: the diff
// names them with the manual's label, and only they travel.
func TestEditAntispamScannersSendsOnlyTheChangedKeys(t *testing.T) {
	h := newHarness(t, 120, 40)
	h.press("]", "]")
	h.requireScreen("AS_Inbound_High")
	h.press("j", "e")
	if h.m.form == nil {
		t.Fatalf("no form:\n%s", h.screen())
	}
	h.focus("bayesian")
	h.press("space")
	h.focus("scanner_bayesian")
	h.press("right") // Default → the next action
	h.focus("heuristic_upper")
	h.setText("4.5")
	h.srv.ResetRequests()
	h.press("enter")
	h.requireScreen(`Send 3 change(s) to antispam profile "AS_Inbound_High"?`,
		"Bayesian scan (bayesian): false → true",
		"Bayesian action (scanner_bayesian): \"\" → ",
		"Upper threshold (heuristic_upper): 3.5 → 4.5")
	if n := len(h.requests(http.MethodPut, "")); n != 0 {
		t.Fatalf("%d PUTs before the analyst said yes", n)
	}
	h.press("y")
	h.noErrors()
	puts := h.requests(http.MethodPut, "ProfAntispam/AS_Inbound_High")
	if len(puts) != 1 {
		t.Fatalf("%d PUTs, want 1: %+v", len(puts), h.srv.Requests())
	}
	body := puts[0].Fields()
	if !reflect.DeepEqual(keysOf(body), []string{"bayesian", "heuristic_upper", "scanner_bayesian"}) ||
		body["bayesian"] != true || body["heuristic_upper"] != 4.5 || body["scanner_bayesian"] == "" {
		t.Fatalf("PUT carried %v", body)
	}
	intent, result := h.audited("fortimail-update-antispam-profile")
	if !strings.Contains(intent.Detail, "Bayesian scan (bayesian): false → true") || result.Result != "ok" {
		t.Errorf("intent %+v result %+v", intent, result)
	}
	h.press("pgdown", "pgdown")
	if !regexpLine(h.screen(), "Upper threshold", "4.5") {
		t.Fatalf("the detail does not show the new threshold:\n%s", h.screen())
	}
}

// The detail pages in full, every section.
func TestGoldenSessionProfileAllKeys(t *testing.T) {
	h := newHarness(t, 100, 130)
	h.openSessionProfile("Strict_Inbound")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenAntispamProfileAllKeys(t *testing.T) {
	h := newHarness(t, 100, 130)
	h.press("]", "]")
	h.requireScreen("AS_Inbound_High")
	h.press("j", "enter")
	h.requireScreen("Antispam profiles (system) › AS_Inbound_High", "Heuristic")
	golden.RequireEqual(t, h.screen())
}

// A key the catalogue types one way but the appliance sends another is
// edited as what it is, so an edit keeps its JSON type.
func TestCatalogueFollowsTheValuesType(t *testing.T) {
	p := bfm.NewAntispamProfile("p")
	for name, v := range map[string]any{"dictionary_group_id": 5, "scan_pdf": "enable", "heuristic_upper": 4, "scanner_rbl": "Reject"} {
		if err := bfm.SetField(&p, name, v); err != nil {
			t.Fatal(err)
		}
	}
	kinds := map[string]bfm.Kind{}
	for _, f := range profileFields(p) {
		kinds[f.Name] = f.Kind
	}
	want := map[string]bfm.Kind{"dictionary_group_id": bfm.KindInt, "scan_pdf": bfm.KindString, "heuristic_upper": bfm.KindFloat, "scanner_rbl": bfm.KindAction}
	for name, k := range want {
		if kinds[name] != k {
			t.Errorf("%s edited as %q, want %q", name, kinds[name], k)
		}
	}
}

// The detail page is laid out once per profile, width and theme: a
// resize or a :theme (which restyles in place) draws it again.
func TestProfileDetailFollowsWidthAndTheme(t *testing.T) {
	h := newHarness(t, 100, 40)
	h.openSessionProfile("Strict_Inbound")
	plain := h.m.Render()
	if strings.Contains(plain, "\x1b[") {
		t.Fatal("the plain theme drew escape sequences")
	}
	dark, err := themes.Builtin("dark")
	if err != nil {
		t.Fatal(err)
	}
	*h.c.Styles = *themes.NewStyles(dark)
	if got := h.m.Render(); !strings.Contains(got, "\x1b[") || uitest.Plain(got) != uitest.Plain(plain) {
		t.Fatalf("after the theme changed the page is not drawn in it:\n%s", got)
	}
	*h.c.Styles = *themes.NewPlainStyles()
	h.m.Render()
	h.m.SetSize(70, 40)
	fresh := newHarness(t, 70, 40)
	fresh.openSessionProfile("Strict_Inbound")
	if got, want := h.screen(), fresh.screen(); got != want {
		t.Fatalf("after a resize to 70 the page is not laid out for it:\n%s\nwant:\n%s", got, want)
	}
}
