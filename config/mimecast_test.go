package config

import (
	"strings"
	"testing"
)

func TestMimecastValidate(t *testing.T) {
	hmac := Mimecast{BaseURL: "https://eu-api.mimecast.com", Auth: "hmac", AppID: "id",
		AppKeyCmd: "pass app", AccessKey: "ak", SecretKeyEnv: "MC_SECRET"}
	oauth := Mimecast{BaseURL: "https://api.services.mimecast.com", Auth: "oauth2", ClientID: "cid", ClientSecretCmd: "pass cs"}
	tests := []struct {
		name string
		m    Mimecast
		edit func(*Mimecast)
		want string // "" = valid; else a fragment of the error
	}{
		{"hmac ok", hmac, func(*Mimecast) {}, ""},
		{"oauth2 ok", oauth, func(*Mimecast) {}, ""},
		{"loopback http ok", oauth, func(m *Mimecast) { m.BaseURL = "http://127.0.0.1:8080" }, ""},
		{"remote http", oauth, func(m *Mimecast) { m.BaseURL = "http://eu-api.mimecast.com" }, "mimecast.base_url"},
		{"no base url", oauth, func(m *Mimecast) { m.BaseURL = "" }, "mimecast.base_url: missing"},
		{"no auth", oauth, func(m *Mimecast) { m.Auth = "" }, "mimecast.auth: missing"},
		{"unknown auth", oauth, func(m *Mimecast) { m.Auth = "basic" }, `"basic" is not`},
		{"hmac without app id", hmac, func(m *Mimecast) { m.AppID = "" }, "mimecast.app_id"},
		{"hmac secret twice", hmac, func(m *Mimecast) { m.SecretKey = "plain" }, "mimecast.secret_key: set only one"},
		{"hmac without app key", hmac, func(m *Mimecast) { m.AppKeyCmd = "" }, "mimecast.app_key: missing"},
		{"oauth2 without client secret", oauth, func(m *Mimecast) { m.ClientSecretCmd = "" }, "mimecast.client_secret: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			tt.edit(&m)
			err := m.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
