package fortimailtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
)

// These tests speak raw HTTP to pin the wire shapes clients rely on.

type wire struct {
	t   *testing.T
	srv *Server
	hc  *http.Client
}

func newWire(t *testing.T, opts Options) *wire {
	srv := New(opts)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	hc := srv.Client()
	hc.Jar = jar
	return &wire{t: t, srv: srv, hc: hc}
}

func (w *wire) do(method, path, body string) (int, map[string]any) {
	w.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.srv.URL()+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		w.t.Fatalf("%s %s: reply is not a JSON object: %s", method, path, data)
	}
	return resp.StatusCode, m
}

func (w *wire) login() {
	w.t.Helper()
	status, _ := w.do("POST", "/api/v1/AdminLogin/", `{"name":"admin","password":"fortimail-demo"}`)
	if status != 200 {
		w.t.Fatalf("login: HTTP %d", status)
	}
}

func TestLoginSetsAnAPSCookieAndRefusalHasTheRealShape(t *testing.T) {
	w := newWire(t, Options{})
	status, body := w.do("POST", "/api/v1/AdminLogin", `{"name":"admin","password":"nope"}`)
	if status != 403 || body["errorType"] != float64(7) || body["collection"] != "[]" {
		t.Errorf("refused login: %d %v", status, body)
	}
	w.login()
	u := w.srv.ts.URL
	req, _ := http.NewRequest("GET", u, nil)
	cookies := w.hc.Jar.Cookies(req.URL)
	if len(cookies) != 1 || !strings.HasPrefix(cookies[0].Name, "APSCOOKIE") {
		t.Errorf("cookies %v, want one APSCOOKIE*", cookies)
	}
}

func TestCallsWithoutASessionAreRefused(t *testing.T) {
	w := newWire(t, Options{})
	status, body := w.do("GET", "/api/v1/domain/", "")
	if status != 403 || body["errorType"] != float64(7) {
		t.Errorf("no session: %d %v", status, body)
	}
}

func TestResourceNamesMatchInAnyCaseWithOrWithoutSlash(t *testing.T) {
	w := newWire(t, Options{})
	w.login()
	for _, p := range []string{"/api/v1/ProfSession/", "/api/v1/profsession", "/api/v1/PROFSESSION/Inbound_Session/", "/api/v1/Domain/example.com"} {
		if status, body := w.do("GET", p, ""); status != 200 {
			t.Errorf("GET %s: %d %v", p, status, body)
		}
	}
}

func TestEnvelopes(t *testing.T) {
	w := newWire(t, Options{})
	w.login()
	_, coll := w.do("GET", "/api/v1/domain/example.com/ProfAntispam/", "")
	if coll["objectID"] != "ProfAntispamCollection:{D:example.com}" || coll["totalRemoteCount"] != float64(1) {
		t.Errorf("collection envelope %v", coll)
	}
	_, item := w.do("GET", "/api/v1/domain/example.com", "")
	if item["objectID"] != "DomainSetting:{D:example.com}" || item["reqAction"] != float64(1) || item["mkey"] != "example.com" {
		t.Errorf("object envelope %v", item)
	}
	w.do("POST", "/api/v1/ProfSession/Tmp/", `{"comment":"x"}`)
	status, del := w.do("DELETE", "/api/v1/ProfSession/Tmp/", "")
	if status != 200 || del["errorType"] != float64(0) || del["errorMsg"] != "Successful:Remove object (ProfSession) " {
		t.Errorf("delete reply %d %v", status, del)
	}
	status, gone := w.do("GET", "/api/v1/ProfSession/Tmp", "")
	if status != 404 || gone["errorType"] != float64(3) {
		t.Errorf("deleted object: %d %v", status, gone)
	}
	status, unknown := w.do("GET", "/api/v1/NoSuchResource/", "")
	if status != 400 || unknown["errorType"] != float64(3) {
		t.Errorf("unknown resource: %d %v", status, unknown)
	}
}

func TestSenderListAcceptsStringReqActionAndKeepsOneCommaString(t *testing.T) {
	w := newWire(t, Options{})
	w.login()
	w.do("POST", "/api/v1/SenderListV2/system", `{"extraParam":"safelist","listitems":"a@example.net, b@example.net","reqAction":"2"}`)
	_, got := w.do("POST", "/api/v1/SenderListV2/system/", `{"extraParam":"safelist","reqAction":1}`)
	if got["listitems"] != "*@partner.example.org,a@example.net,b@example.net" {
		t.Errorf("listitems %v", got["listitems"])
	}
	status, bad := w.do("POST", "/api/v1/SenderListV2/system", `{"extraParam":"whitelist","listitems":"c@example.net"}`)
	if status != 400 || !strings.Contains(bad["errorMsg"].(string), "extraParam") {
		t.Errorf("7.x spelling not enforced: %d %v", status, bad)
	}
}

func TestUnknownFieldsAreStoredAndValidatedOnesRejected(t *testing.T) {
	w := newWire(t, Options{})
	w.login()
	status, body := w.do("PUT", "/api/v1/ProfSession/Inbound_Session", `{"brand_new_knob":"on","eom_ack":true}`)
	if status != 200 || body["brand_new_knob"] != "on" || body["eom_ack"] != true || body["conn_concurrent"] != float64(10) {
		t.Errorf("PUT reply %d %v", status, body)
	}
	status, body = w.do("PUT", "/api/v1/ProfSession/Inbound_Session", `{"eom_ack":"yes"}`)
	if status != 400 || body["errorMsg"] != `Failed: Invalid value for eom_ack: "yes" (must be true or false) ` {
		t.Errorf("bad flag: %d %v", status, body)
	}
}

func TestSeedAndSnapshotDoNotShareMaps(t *testing.T) {
	srv := New(Options{})
	t.Cleanup(srv.Close)
	seed := DefaultSeed()
	srv.Seed(seed)
	seed.SessionProfiles[0]["comment"] = "changed after seeding"
	snap := srv.Snapshot()
	snap.SessionProfiles[0]["comment"] = "changed in a snapshot"
	if c := srv.Snapshot().SessionProfiles[0]["comment"]; c != "Default inbound session profile" {
		t.Errorf("state changed through a shared map: %v", c)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(srv.Snapshot()); err != nil {
		t.Fatal(err)
	}
}

func TestCollectionsArePagedAsTheEnvelopeSays(t *testing.T) {
	w := newWire(t, Options{PageSize: 2})
	w.login()
	const path = "/api/v1/ProfSession/Inbound_Session/ProfSessionSenderBlacklist/"
	cases := []struct {
		query      string
		keys       []string
		nextPage   bool
		totalCount float64
	}{
		{"", []string{"*@bulk-mailer.example.net", "invoice@fakebank.example.net"}, true, 3},
		{"?startIndex=2&pageSize=2", []string{"203.0.113.0/24"}, false, 3},
		{"?startindex=1&pagesize=1", []string{"invoice@fakebank.example.net"}, true, 3}, // names in any case
		{"?startIndex=0&pageSize=50", []string{"*@bulk-mailer.example.net", "invoice@fakebank.example.net"}, true, 3},
		{"?startIndex=9", nil, false, 3},
	}
	for _, c := range cases {
		status, m := w.do("GET", path+c.query, "")
		var keys []string
		items, _ := m["collection"].([]any)
		for _, it := range items {
			keys = append(keys, it.(map[string]any)["mkey"].(string))
		}
		if status != 200 || strings.Join(keys, " ") != strings.Join(c.keys, " ") || m["nextPage"] != c.nextPage ||
			m["totalRemoteCount"] != c.totalCount || m["subCount"] != float64(len(c.keys)) {
			t.Errorf("%q: HTTP %d, items %q nextPage %v totalRemoteCount %v subCount %v; want %q %v %v %d",
				c.query, status, keys, m["nextPage"], m["totalRemoteCount"], m["subCount"], c.keys, c.nextPage, c.totalCount, len(c.keys))
		}
	}
	if status, m := w.do("GET", path+"?startIndex=-1", ""); status != 400 || m["errorType"] == float64(0) {
		t.Errorf("a negative startIndex: HTTP %d %v", status, m)
	}
}
