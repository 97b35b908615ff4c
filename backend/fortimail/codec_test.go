package fortimail

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeAcceptsEveryFirmwareSpellingOfFlagsAndNumbers(t *testing.T) {
	in := `{"mkey":"S1","conn_idle_timeout":"45","conn_concurrent":3.0,"dkim":"enable",
	        "sender_reputation":1,"eom_ack":"disable","spf":true,"comment":7,"action":null}`
	var p SessionProfile
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	want := SessionProfile{Name: "S1", ConnIdleTimeout: 45, ConnConcurrent: 3, DKIM: true, SenderReputation: true, SPF: SPFEnable, Comment: "7"}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", p, want)
	}
}

func TestDecodeNamesTheFieldItCannotRead(t *testing.T) {
	var p SessionProfile
	err := json.Unmarshal([]byte(`{"conn_idle_timeout":"soon"}`), &p)
	if err == nil || !strings.Contains(err.Error(), "conn_idle_timeout") {
		t.Fatalf("error %v does not name conn_idle_timeout", err)
	}
}

func TestUnknownFieldsRoundTripAndEnvelopeKeysDoNot(t *testing.T) {
	in := `{"objectID":"ProfSession:S1","reqAction":1,"nodePermission":3,"mkey":"S1",
	        "splice_what":2,"hide_received":true,"route":{"a":[1,2]}}`
	var p SessionProfile
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"splice_what", "hide_received", "route", "conn_idle_timeout"} {
		if _, ok := m[k]; !ok {
			t.Errorf("re-encoded profile lost %s: %s", k, out)
		}
	}
	for _, k := range []string{"objectID", "reqAction", "nodePermission"} {
		if _, ok := m[k]; ok {
			t.Errorf("re-encoded profile carries envelope key %s", k)
		}
	}
}

func TestDiffListsOnlyChangedFieldsIncludingExtra(t *testing.T) {
	var old SessionProfile
	if err := json.Unmarshal([]byte(`{"mkey":"S1","conn_idle_timeout":30,"splice_what":1,"queue":"q"}`), &old); err != nil {
		t.Fatal(err)
	}
	edited := old
	must(t, SetField(&edited, "conn_idle_timeout", "60"))
	must(t, SetField(&edited, "dkim", true))
	must(t, SetField(&edited, "splice_what", 2))
	must(t, SetField(&edited, "spf", SPFBypass))
	got := Diff(old, edited)
	var names []string
	for _, c := range got {
		names = append(names, c.Field)
	}
	want := []string{"conn_idle_timeout", "spf", "dkim", "splice_what"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("changed fields %v, want %v", names, want)
	}
	if got[0].Old != 30 || got[0].New != 60 || got[0].Group != GroupConnection {
		t.Errorf("first change %+v", got[0])
	}
	if s := got[0].String(); s != "Connection idle timeout (seconds) (conn_idle_timeout): 30 → 60" {
		t.Errorf("String() = %q", s)
	}
	if v, _ := FieldValue(old, "splice_what"); v != float64(1) {
		t.Errorf("editing a copy changed the original's Extra: %v", v)
	}
	body, err := changesBody(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) != 4 || body["splice_what"] != float64(2) {
		t.Errorf("PUT body %v", body)
	}
}

func TestDiffOfEqualObjectsIsEmptyAndCannotBeSent(t *testing.T) {
	p := NewSessionProfile("S")
	if d := Diff(p, p); len(d) != 0 {
		t.Fatalf("Diff of equal profiles: %v", d)
	}
	if _, err := changesBody(nil); err != ErrNoChanges {
		t.Fatalf("empty change set: %v", err)
	}
}

func TestSetFieldRejectsBadInput(t *testing.T) {
	p := NewAntispamProfile("A")
	if err := SetField(&p, "greylist", "maybe"); err == nil || !strings.Contains(err.Error(), "greylist") {
		t.Errorf("flag from %q: %v", "maybe", err)
	}
	var s SessionProfile
	if err := SetField(&s, "conn_concurrent", "2.5"); err == nil {
		t.Error("2.5 accepted as a whole number")
	}
}

func TestFieldsCoverEverySeedGroup(t *testing.T) {
	groups := map[string]int{}
	for _, f := range Fields[SessionProfile]() {
		groups[f.Group]++
		if f.Kind == KindEnum && len(f.Choices) == 0 {
			t.Errorf("enum field %s has no choices", f.Name)
		}
	}
	for _, g := range []string{GroupConnection, GroupSenderReputation, GroupEndpointReputation, GroupSenderValidation, GroupSessionSettings, GroupLists} {
		if groups[g] == 0 {
			t.Errorf("session profile has no field in group %q", g)
		}
	}
	groups = map[string]int{}
	for _, f := range Fields[AntispamProfile]() {
		groups[f.Group]++
		if f.Kind == KindAction && len(f.Choices) == 0 {
			t.Errorf("action field %s has no choices", f.Name)
		}
	}
	for _, g := range []string{GroupDefaultAction, GroupGreylist, GroupSPF, GroupDMARC, GroupBehaviourAnalysis, GroupHeaderAnalysis, GroupImageSpam} {
		if groups[g] == 0 {
			t.Errorf("antispam profile has no field in group %q", g)
		}
	}
	if groups[GroupSPF] != 17 {
		t.Errorf("SPF group has %d fields, want the check plus 8 results with their actions", groups[GroupSPF])
	}
}

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in           string
		major, minor int
	}{{"7.4.2", 7, 4}, {"v6.4.5", 6, 4}, {"6.0.143", 6, 0}, {"7.2", 7, 2}, {"7.4.2,build1234", 7, 4}} {
		v, err := ParseVersion(tc.in)
		if err != nil || v.Major != tc.major || v.Minor != tc.minor {
			t.Errorf("ParseVersion(%q) = %+v, %v", tc.in, v, err)
		}
	}
	if _, err := ParseVersion("latest"); err == nil {
		t.Error(`"latest" parsed as a version`)
	}
}

func TestSplitItems(t *testing.T) {
	for in, want := range map[string][]string{
		`"a@x.com, *@y.com,,1.2.3.0/24"`: {"a@x.com", "*@y.com", "1.2.3.0/24"},
		`""`:                             {},
		`["a@x.com"]`:                    {"a@x.com"},
	} {
		got, err := splitItems(json.RawMessage(in))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("splitItems(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestFieldShowUsesChoiceLabels(t *testing.T) {
	byName := map[string]Field{}
	for _, f := range Fields[SessionProfile]() {
		byName[f.Name] = f
	}
	p := NewSessionProfile("S")
	p.EndpointReputationAction = EndpointMonitor
	for name, want := range map[string]string{"msisdn_sender_reputation_action": "Monitor", "spf": "Enable", "action": "None", "conn_idle_timeout": "30"} {
		v, _ := FieldValue(p, name)
		if got := byName[name].Show(v); got != want {
			t.Errorf("%s shows %q, want %q", name, got, want)
		}
	}
}
