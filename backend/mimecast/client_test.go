package mimecast

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestNewRefusesPlainHTTPExceptLoopback(t *testing.T) {
	base := Options{Auth: AuthOAuth2, ClientID: "id", ClientSecret: secret("x")}
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://eu-api.mimecast.com", true},
		{"https://eu-api.mimecast.com/", true},
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080", true},
		{"http://localhost:1", true},
		{"http://eu-api.mimecast.com", false},
		{"ftp://eu-api.mimecast.com", false},
		{"https://user:pw@eu-api.mimecast.com", false},
		{"", false},
		{"eu-api.mimecast.com", false},
	}
	for _, tt := range tests {
		o := base
		o.BaseURL = tt.url
		_, err := New(o)
		if (err == nil) != tt.ok {
			t.Errorf("New(BaseURL %q) error = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestNewNamesMissingCredentials(t *testing.T) {
	_, err := New(Options{BaseURL: "https://x.example", Auth: AuthHMAC, AppID: "a"})
	if err == nil || !strings.Contains(err.Error(), "AppKey, AccessKey, SecretKey") {
		t.Errorf("err = %v, want the missing fields named", err)
	}
	_, err = New(Options{BaseURL: "https://x.example", Auth: "basic"})
	if err == nil {
		t.Error("unknown auth mode accepted")
	}
}

func TestClientPrintsNoSecret(t *testing.T) {
	c, err := New(Options{BaseURL: "https://x.example", Auth: AuthHMAC, AppID: "a",
		AppKey: secret("APPKEY-SECRET"), AccessKey: "ak", SecretKey: secret("SECRETKEY")})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(s, "SECRET") {
			t.Errorf("printed client contains a secret: %s", s)
		}
	}
}

func TestSecretFuncFailureIsAnAuthErrorNotRetried(t *testing.T) {
	calls := 0
	c, err := New(Options{BaseURL: "http://127.0.0.1:1", Auth: AuthHMAC, AppID: "a", AccessKey: "ak",
		AppKey:    func(context.Context) (string, error) { calls++; return "", errors.New("pass: no such entry") },
		SecretKey: secret("U2VjcmV0S2V5")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.call(context.Background(), "/api/x", nil, nil, readCall)
	var ae *AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "no such entry") {
		t.Fatalf("err = %v, want *AuthError naming the cause", err)
	}
	if calls != 1 {
		t.Errorf("secret asked %d times, want 1 (not retried)", calls)
	}
}
