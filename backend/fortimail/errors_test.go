package fortimail_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
)

func TestMissingObjectsAreNotFound(t *testing.T) {
	_, c := start(t, fortimailtest.Options{})
	calls := map[string]func() error{
		"domain":           func() error { _, err := c.GetDomain(ctx, "nope.example"); return err },
		"session profile":  func() error { _, err := c.GetSessionProfile(ctx, "Nope"); return err },
		"antispam profile": func() error { _, err := c.GetAntispamProfile(ctx, "", "Nope"); return err },
		"domain antispam":  func() error { _, err := c.GetAntispamProfile(ctx, "example.com", "Nope"); return err },
		"policy":           func() error { _, err := c.GetRecipientPolicy(ctx, "example.com", 99); return err },
		"delete profile":   func() error { return c.DeleteSessionProfile(ctx, "Nope") },
		"update profile": func() error {
			_, err := c.UpdateSessionProfile(ctx, "Nope", []fortimail.Change{{Field: "eom_ack", New: true}})
			return err
		},
		"list entry": func() error {
			return c.RemoveSessionListEntry(ctx, "Inbound_Session", fortimail.SessionSenderBlockList, "nobody@example.net")
		},
		"list of missing profile": func() error {
			_, err := c.SessionListEntries(ctx, "Nope", fortimail.SessionSenderSafeList)
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, fortimail.ErrNotFound) {
			t.Errorf("%s: error %v, want ErrNotFound", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "Failed to retrieve object") || !strings.Contains(err.Error(), "HTTP 404") {
			t.Errorf("%s: error %q lacks the status or the appliance's message", name, err)
		}
	}
}

func TestServerErrorCarriesStatusAndMessageVerbatim(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	srv.InjectFault(fortimailtest.Fault{Path: "AsGreylist", Status: 500, ErrorType: 12, ErrorMsg: "Failed: Internal error (AsGreylist) ", Times: 1})
	_, err := c.ListGreylist(ctx)
	var apiErr *fortimail.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T), want *APIError", err, err)
	}
	if apiErr.Status != 500 || apiErr.Type != 12 || apiErr.Msg != "Failed: Internal error (AsGreylist) " {
		t.Errorf("APIError %+v", apiErr)
	}
	want := "fortimail: list greylist: HTTP 500 Internal Server Error: Failed: Internal error (AsGreylist) (errorType 12)"
	if err.Error() != want {
		t.Errorf("error\n%q\nwant\n%q", err, want)
	}
	if errors.Is(err, fortimail.ErrNotFound) || errors.Is(err, fortimail.ErrAccessDenied) {
		t.Error("a 500 matches a sentinel it is not")
	}
}

func TestValidationErrorsNameTheField(t *testing.T) {
	_, c := start(t, fortimailtest.Options{})
	cases := []struct {
		field string
		value any
		want  string
	}{
		{"conn_idle_timeout", 5000, "Invalid value for conn_idle_timeout: 5000 (must be 1-1200)"},
		{"spf", 7, "Invalid value for spf: 7 (must be one of 0, 1, 2)"},
		{"action", "Quarantine", `Invalid value for action: "Quarantine" (no such action profile)`},
	}
	for _, tc := range cases {
		p := fortimail.NewSessionProfile("Bad_" + tc.field)
		mustOK(t, fortimail.SetField(&p, tc.field, tc.value))
		_, err := c.CreateSessionProfile(ctx, p)
		var apiErr *fortimail.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%v: error %v, want HTTP 400 with %q", tc.field, tc.value, err, tc.want)
		}
	}
	_, err := c.CreateSessionProfile(ctx, fortimail.NewSessionProfile("Inbound_Session"))
	if err == nil || !strings.Contains(err.Error(), "Duplicate object (ProfSession)") {
		t.Errorf("creating an existing profile: %v", err)
	}
}

func TestFailureInsideHTTP200IsAnError(t *testing.T) {
	c := fakeAppliance(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "ProfSession/Gone") {
			w.Write([]byte(`{"errorType":3,"errorMsg":"Failed to retrieve object "}`))
			return
		}
		w.Write([]byte(`{"errorType":"9","errorMsg":"Failed: something else "}`))
	})
	if _, err := c.GetSessionProfile(ctx, "Gone"); !errors.Is(err, fortimail.ErrNotFound) {
		t.Errorf("errorType 3 in HTTP 200: %v, want ErrNotFound", err)
	}
	_, err := c.GetSessionProfile(ctx, "Other")
	if err == nil || !strings.Contains(err.Error(), "Failed: something else (errorType 9)") {
		t.Errorf("errorType 9 in HTTP 200: %v", err)
	}
}

func TestNonJSONErrorPageIsShownOnOneLine(t *testing.T) {
	c := fakeAppliance(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html>\n<body>Bad   gateway\nfrom proxy</body></html>"))
	})
	_, err := c.ListDomains(ctx)
	want := "fortimail: list domains: HTTP 502 Bad Gateway: <html> <body>Bad gateway from proxy</body></html>"
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
}

func TestErrorsNeverShowThePasswordOrTheCookie(t *testing.T) {
	srv := fortimailtest.New(fortimailtest.Options{Password: "s3cret-Pa55"})
	t.Cleanup(srv.Close)
	spy := &cookieSpy{next: http.DefaultTransport}
	c := newClient(t, srv, func(o *fortimail.Options) { o.HTTPClient = &http.Client{Transport: spy} })
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	_, err := c.GetSessionProfile(ctx, "Nope")
	collect(err)
	srv.InjectFault(fortimailtest.Fault{Status: 403})
	_, err = c.ListDomains(ctx)
	collect(err)
	srv.ClearFaults()
	srv.InjectFault(fortimailtest.Fault{Path: "AdminLogin", Status: 403, ErrorMsg: "Failed: bad password s3cret-Pa55 "})
	srv.ExpireSessions()
	_, err = c.ListDomains(ctx)
	collect(err)
	if len(errs) != 3 || len(spy.values()) == 0 {
		t.Fatalf("%d errors, %d cookies seen", len(errs), len(spy.values()))
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), "s3cret-Pa55") {
			t.Errorf("error shows the password: %v", err)
		}
		for _, ck := range spy.values() {
			if strings.Contains(err.Error(), ck) {
				t.Errorf("error shows a cookie: %v", err)
			}
		}
	}
}

func TestSlowApplianceGivesWayToTheCallersDeadline(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	srv.InjectFault(fortimailtest.Fault{Path: "domain", Hold: hold})
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := c.ListDomains(dctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the deadline", err)
	}
	if !strings.Contains(err.Error(), "list domains") {
		t.Errorf("error %q does not say what timed out", err)
	}
}

func TestURLChecks(t *testing.T) {
	pw := constPassword("x")
	for _, bad := range []string{"http://fortimail.example.com", "ftp://fortimail.example.com", "fortimail.example.com", ""} {
		if _, err := fortimail.New(fortimail.Options{URL: bad, Username: "admin", Password: pw}); err == nil {
			t.Errorf("URL %q accepted", bad)
		}
	}
	for _, good := range []string{"https://fortimail.example.com", "https://fortimail.example.com/api/v1/", "http://127.0.0.1:8080"} {
		if _, err := fortimail.New(fortimail.Options{URL: good, Username: "admin", Password: pw}); err != nil {
			t.Errorf("URL %q: %v", good, err)
		}
	}
	if _, err := fortimail.New(fortimail.Options{URL: "http://fortimail.lab", Username: "admin", Password: pw, AllowHTTP: true}); err != nil {
		t.Errorf("AllowHTTP: %v", err)
	}
}

// fakeAppliance serves a login and hands every other request to h.
func fakeAppliance(t *testing.T, h http.HandlerFunc) *fortimail.Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/AdminLogin") {
			http.SetCookie(w, &http.Cookie{Name: "APSCOOKIE", Value: "fake", Path: "/"})
			w.Write([]byte(`{"objectID":"AdminLogin:","product_version":"7.4.0"}`))
			return
		}
		h(w, r)
	}))
	t.Cleanup(ts.Close)
	c, err := fortimail.New(fortimail.Options{URL: ts.URL, Username: "admin", Password: constPassword("x")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
