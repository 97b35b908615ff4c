package config

import (
	"fmt"
	"net/url"
)

// Validate checks the [mimecast] table: a base URL the client will accept,
// a known auth mode, the identifiers that mode needs, and exactly one
// source for each of its secrets (with two, which one wins would be a
// guess). Config.Validate does not call it; whoever builds the Mimecast
// client does, so a configuration without Mimecast screens still loads.
func (m *Mimecast) Validate() error {
	if err := m.checkBaseURL(); err != nil {
		return err
	}
	switch m.Auth {
	case "hmac":
		return firstErr(
			required("mimecast.app_id", m.AppID),
			required("mimecast.access_key", m.AccessKey),
			oneSecret("mimecast.app_key", m.AppKey, m.AppKeyCmd, m.AppKeyEnv),
			oneSecret("mimecast.secret_key", m.SecretKey, m.SecretKeyCmd, m.SecretKeyEnv),
		)
	case "oauth2":
		return firstErr(
			required("mimecast.client_id", m.ClientID),
			oneSecret("mimecast.client_secret", m.ClientSecret, m.ClientSecretCmd, m.ClientSecretEnv),
		)
	case "":
		return fmt.Errorf("mimecast.auth: missing (hmac for API 1.0 keys, oauth2 for API 2.0)")
	}
	return fmt.Errorf("mimecast.auth: %q is not hmac or oauth2", m.Auth)
}

// checkBaseURL allows plain http to loopback only (the emulator): the
// API 1.0 headers and bearer tokens are credentials.
func (m *Mimecast) checkBaseURL() error {
	if m.BaseURL == "" {
		return fmt.Errorf("mimecast.base_url: missing (e.g. https://eu-api.mimecast.com)")
	}
	u, err := url.Parse(m.BaseURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("mimecast.base_url: %q is not a URL like https://eu-api.mimecast.com", m.BaseURL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return fmt.Errorf("mimecast.base_url: %q must be https (plain http only to loopback)", m.BaseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("mimecast.base_url: %q must be only a scheme, host and path", m.BaseURL)
	}
	return nil
}

func required(name, v string) error {
	if v == "" {
		return fmt.Errorf("%s: missing", name)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
