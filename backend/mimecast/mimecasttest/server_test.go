package mimecasttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The server's own signature check reproduces the reference's worked
// examples, independently of the client.
func TestSignReproducesReferenceVectors(t *testing.T) {
	if got := sign("U2VjcmV0S2V5", "ApplicationKey", "Sun, 21 Aug 2022 13:49:40 UTC",
		"3d796b76-4180-40e5-8f7c-6e0fd643b1a9", "/api/test/some-url"); got != "WOywLsnZlsE+D6bp/ug6uch5kxc=" {
		t.Errorf("vector A = %q", got)
	}
	if got := sign("ZXhhbXBsZS1zZWNyZXQtMDEyMzQ1Njc4OQ==", "example-app-key", "Tue, 24 Nov 2015 12:50:11 UTC",
		"8578FCFC-A305-4D9A-99CB-F4D5ECEFE297", "/api/ttp/url/decode-url"); got != "bnglArIt6fU/efVU5Rc9iBCzRsw=" {
		t.Errorf("vector B = %q", got)
	}
}

// signed builds a correctly signed API 1.0 request for path at now.
func signed(s *Server, path, body string, now time.Time) *http.Request {
	cr := s.Credentials()
	r, _ := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(body))
	date, reqID := now.UTC().Format(time.RFC1123), "8578fcfc-a305-4d9a-99cb-f4d5ecefe297"
	r.Header.Set("Authorization", "MC "+cr.AccessKey+":"+sign(cr.SecretKey, cr.AppKey, date, reqID, path))
	r.Header.Set("x-mc-date", date)
	r.Header.Set("x-mc-req-id", reqID)
	r.Header.Set("x-mc-app-id", cr.AppID)
	r.Header.Set("Content-Type", "application/json")
	return r
}

type answer struct {
	status int
	header http.Header
	env    struct {
		Meta map[string]any   `json:"meta"`
		Data []map[string]any `json:"data"`
		Fail []failure        `json:"fail"`
	}
}

func do(t *testing.T, r *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &a.env); err != nil {
		t.Fatalf("answer %d is not the envelope: %s", resp.StatusCode, b)
	}
	return a
}

func TestWireBasics(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	now := time.Now()
	const path = "/api/policy/blockedsenders/get-policy"

	a := do(t, signed(s, path, `{"data":[]}`, now))
	if a.status != 200 || a.env.Meta["status"] != float64(200) || a.env.Data == nil || a.env.Fail == nil {
		t.Errorf("signed call: %d %+v, want 200 with meta.status, data[] and fail[]", a.status, a.env)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		if a.header.Get(h) == "" {
			t.Errorf("answer lacks %s", h)
		}
	}

	r := signed(s, path, `{"data":[]}`, now)
	authz := r.Header.Get("Authorization")
	colon := strings.LastIndexByte(authz, ':')
	r.Header.Set("Authorization", authz[:colon+1]+"AAAA"+authz[colon+5:])
	if a := do(t, r); a.status != 401 || len(a.env.Fail) != 1 || a.env.Fail[0].Errors[0].Code != "err_xdk_signature_mismatch" {
		t.Errorf("bad signature: %d %+v, want 401 with the error envelope", a.status, a.env)
	}
	stale := signed(s, path, `{"data":[]}`, now.Add(-time.Hour))
	if a := do(t, stale); a.status != 401 || a.env.Fail[0].Errors[0].Code != "err_xdk_date_out_of_range" {
		t.Errorf("stale date: %d %+v", a.status, a.env.Fail)
	}
	gmt := signed(s, path, `{"data":[]}`, now)
	gmt.Header.Set("x-mc-date", strings.Replace(gmt.Header.Get("x-mc-date"), "UTC", "GMT", 1))
	if a := do(t, gmt); a.status != 401 {
		t.Errorf("GMT date form: %d, want 401 (only the documented UTC form verifies)", a.status)
	}

	get, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	if a := do(t, get); a.status != 405 {
		t.Errorf("GET: %d, want 405", a.status)
	}
	if a := do(t, signed(s, "/api/no/such", `{"data":[]}`, now)); a.status != 404 {
		t.Errorf("unknown path: %d, want 404", a.status)
	}
	if a := do(t, signed(s, path, `not json`, now)); a.status != 400 {
		t.Errorf("malformed body: %d, want 400", a.status)
	}
}

func TestTokenEndpoint(t *testing.T) {
	s := New(Options{TokenTTL: 90 * time.Second})
	defer s.Close()
	cr := s.Credentials()
	post := func(form url.Values) (*http.Response, map[string]any) {
		resp, err := http.PostForm(s.URL()+"/oauth/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	resp, m := post(url.Values{"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret}, "grant_type": {"client_credentials"}})
	if resp.StatusCode != 200 || m["access_token"] == "" || m["expires_in"] != float64(90) || m["token_type"] != "Bearer" {
		t.Errorf("token: %d %v", resp.StatusCode, m)
	}
	resp, m = post(url.Values{"client_id": {cr.ClientID}, "client_secret": {"nope"}, "grant_type": {"client_credentials"}})
	if resp.StatusCode != 401 || m["error"] != "invalid_client" {
		t.Errorf("bad secret: %d %v", resp.StatusCode, m)
	}
	resp, _ = post(url.Values{"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret}, "grant_type": {"password"}})
	if resp.StatusCode != 400 {
		t.Errorf("wrong grant: %d, want 400", resp.StatusCode)
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	now := time.Now()
	s := New(Options{TokenTTL: time.Minute, Now: func() time.Time { return now }})
	defer s.Close()
	tok := s.issue()
	s.opts.Now = func() time.Time { return now.Add(time.Minute) }
	r, _ := http.NewRequest(http.MethodPost, s.URL()+"/api/ttp/url/get-all-managed-urls", strings.NewReader(`{"data":[]}`))
	r.Header.Set("Authorization", "Bearer "+tok)
	if a := do(t, r); a.status != 401 || a.env.Fail[0].Errors[0].Code != "err_oauth_token_expired" {
		t.Errorf("expired token: %d %+v", a.status, a.env.Fail)
	}
}

func TestPageTokensAreBoundToTheirPath(t *testing.T) {
	s := New(Options{MaxPageSize: 1})
	defer s.Close()
	s.Seed(SampleData(time.Now()))
	now := time.Now()
	a := do(t, signed(s, "/api/ttp/url/get-all-managed-urls", `{"data":[]}`, now))
	p := a.env.Meta["pagination"].(map[string]any)
	next, _ := p["next"].(string)
	if next == "" || p["pageSize"] != float64(1) || p["totalCount"] != float64(2) {
		t.Fatalf("pagination = %v, want a next token, pageSize 1, totalCount 2", p)
	}
	other := do(t, signed(s, "/api/managedsender/get-managed-senders", `{"meta":{"pagination":{"pageToken":"`+next+`"}},"data":[]}`, now))
	if len(other.env.Fail) != 1 {
		t.Errorf("token used on another path: %+v, want a failure", other.env)
	}
	last := do(t, signed(s, "/api/ttp/url/get-all-managed-urls", `{"meta":{"pagination":{"pageToken":"`+next+`"}},"data":[]}`, now))
	lp := last.env.Meta["pagination"].(map[string]any)
	if _, more := lp["next"]; more || lp["previous"] == nil || len(last.env.Data) != 1 {
		t.Errorf("last page: %v %v, want no next, a previous, one item", lp, last.env.Data)
	}
}

func TestSeedFromMessagesIsStable(t *testing.T) {
	msg := Message{MessageID: "abc@x.example", From: "Eve <eve@x.zip>", To: []string{"a@example.com"},
		Subject: "s", Date: time.Now(), URLs: []string{"https://x.zip/a", "https://example.com/"}, SenderIP: "192.0.2.1"}
	s := New(Options{})
	defer s.Close()
	s.SeedFromMessages([]Message{msg})
	tr := s.TrackedMessages()
	if len(tr) != 1 || tr[0].ID != MimecastID("<abc@x.example>") || tr[0].MessageID != "<abc@x.example>" || tr[0].FromName != "Eve" {
		t.Fatalf("tracked = %+v", tr)
	}
	if h := s.HeldMessages(); len(h) != 1 || h[0].ID != tr[0].ID {
		t.Errorf("held = %+v, want the message with a malicious-looking URL held under the same id", h)
	}
	if MimecastID("abc@x.example") != MimecastID("<ABC@x.example>") {
		t.Error("MimecastID depends on brackets or case")
	}
}

func TestEncodeDecodeURL(t *testing.T) {
	u := "https://evil.example/p?q=1&r=2"
	got, ok := decodeRewritten(EncodeURL(u))
	if !ok || got != u {
		t.Errorf("round trip = %q, %v", got, ok)
	}
	if _, ok := decodeRewritten("https://evil.example/s/abc"); ok {
		t.Error("decoded a link that URL Protect did not write")
	}
}

func TestPrintingShowsNoSecret(t *testing.T) {
	s := New(Options{AppKey: "APPKEY-S3CRET", SecretKey: "U0VDUkVU", ClientSecret: "CLIENT-S3CRET"})
	defer s.Close()
	for _, text := range []string{
		fmt.Sprintf("%v %+v %#v", s, s, s),
		fmt.Sprintf("%v %+v %#v", s.Credentials(), s.Credentials(), s.Credentials()),
		fmt.Sprintf("%v %+v %#v", s.opts, s.opts, s.opts),
	} {
		for _, secret := range []string{"APPKEY-S3CRET", "U0VDUkVU", "CLIENT-S3CRET"} {
			if strings.Contains(text, secret) {
				t.Errorf("%q shows a secret", text)
			}
		}
	}
}
