package mimecast

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The reference's worked examples: the signature must match byte for byte.
func TestSignHMACReproducesReferenceVectors(t *testing.T) {
	tests := []struct {
		name, secret, appKey, date, reqID, path, want string
	}{
		{"A", "U2VjcmV0S2V5", "ApplicationKey", "Sun, 21 Aug 2022 13:49:40 UTC",
			"3d796b76-4180-40e5-8f7c-6e0fd643b1a9", "/api/test/some-url", "WOywLsnZlsE+D6bp/ug6uch5kxc="},
		{"B", "ZXhhbXBsZS1zZWNyZXQtMDEyMzQ1Njc4OQ==", "example-app-key", "Tue, 24 Nov 2015 12:50:11 UTC",
			"8578FCFC-A305-4D9A-99CB-F4D5ECEFE297", "/api/ttp/url/decode-url", "bnglArIt6fU/efVU5Rc9iBCzRsw="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := signHMAC(tt.secret, tt.appKey, tt.date, tt.reqID, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("signature = %q, want %q", got, tt.want)
			}
		})
	}
}

func secret(s string) SecretFunc {
	return func(context.Context) (string, error) { return s, nil }
}

// A request built by the client carries exactly the reference's headers
// for example A: the clock and request id are the only inputs that vary.
func TestRequestCarriesReferenceHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		fmt.Fprint(w, `{"meta":{"status":200},"data":[],"fail":[]}`)
	}))
	defer srv.Close()
	c, err := New(Options{
		BaseURL: srv.URL, Auth: AuthHMAC,
		AppID: "app-id", AppKey: secret("ApplicationKey"),
		AccessKey: "AccessKey", SecretKey: secret("U2VjcmV0S2V5"),
		Now:       func() time.Time { return time.Date(2022, 8, 21, 15, 49, 40, 0, time.FixedZone("CEST", 7200)) },
		RequestID: func() string { return "3d796b76-4180-40e5-8f7c-6e0fd643b1a9" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.call(context.Background(), "/api/test/some-url", nil, nil, readCall); err != nil {
		t.Fatal(err)
	}
	h := <-got
	want := map[string]string{
		"Authorization": "MC AccessKey:WOywLsnZlsE+D6bp/ug6uch5kxc=",
		"X-Mc-Date":     "Sun, 21 Aug 2022 13:49:40 UTC",
		"X-Mc-Req-Id":   "3d796b76-4180-40e5-8f7c-6e0fd643b1a9",
		"X-Mc-App-Id":   "app-id",
		"Content-Type":  "application/json",
		"Accept":        "application/json",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v)
		}
	}
}

func TestRequestIDIsLowerCaseUUIDv4(t *testing.T) {
	id := newUUID()
	if len(id) != 36 || id[14] != '4' || strings.ToLower(id) != id || strings.Count(id, "-") != 4 {
		t.Errorf("newUUID() = %q, want a lower-case UUIDv4", id)
	}
	if newUUID() == id {
		t.Error("two request ids are equal")
	}
}

func TestSecretKeyThatIsNotBase64FailsWithoutEchoingIt(t *testing.T) {
	_, err := signHMAC("not base64 !!s3cr3t", "k", "d", "r", "/p")
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("err = %v, want an error that does not quote the secret", err)
	}
}
