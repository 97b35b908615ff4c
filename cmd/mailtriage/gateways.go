package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
	"github.com/mailtriage/mailtriage/config"
	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/ui"
	"github.com/mailtriage/mailtriage/ui/session"
)

// gateways builds the Mimecast and FortiMail clients the configuration
// asks for. Nothing is contacted here: the screens log in when shown.
func gateways(cfg *config.Config) (session.Gateways, error) {
	var g session.Gateways
	if m := cfg.Mimecast; m != nil {
		if err := m.Validate(); err != nil {
			return g, fmt.Errorf("mimecast.%w", err)
		}
		c, err := mimecast.New(mimecast.Options{
			BaseURL:      m.BaseURL,
			Auth:         mimecast.AuthMode(m.Auth),
			AppID:        m.AppID,
			AppKey:       config.Secret{Field: "app_key", Plain: m.AppKey, Cmd: m.AppKeyCmd, Env: m.AppKeyEnv}.Cached(),
			AccessKey:    m.AccessKey,
			SecretKey:    config.Secret{Field: "secret_key", Plain: m.SecretKey, Cmd: m.SecretKeyCmd, Env: m.SecretKeyEnv}.Cached(),
			ClientID:     m.ClientID,
			ClientSecret: config.Secret{Field: "client_secret", Plain: m.ClientSecret, Cmd: m.ClientSecretCmd, Env: m.ClientSecretEnv}.Cached(),
		})
		if err != nil {
			return g, fmt.Errorf("mimecast: %w", err)
		}
		g.Mimecast = c
	}
	if f := cfg.FortiMail; f != nil {
		c, err := fortimail.New(fortimail.Options{
			URL:       f.URL,
			Username:  f.Username,
			Password:  config.Secret{Field: "password", Plain: f.Password, Cmd: f.PasswordCmd, Env: f.PasswordEnv}.Cached(),
			VerifyTLS: f.VerifyTLS,
		})
		if err != nil {
			return g, fmt.Errorf("fortimail: %w", err)
		}
		g.FortiMail = c
		g.FortiMailInsecure = f.VerifyTLS != nil && !*f.VerifyTLS
	}
	return g, nil
}

// demoGateways starts the Mimecast and FortiMail emulators on loopback,
// seeded to match the demo mailbox (tracked messages with its Message-IDs,
// click logs for its URLs), and returns clients for them.
func demoGateways() (session.Gateways, func(), error) {
	mc := mimecasttest.New(mimecasttest.Options{})
	now := time.Now()
	mc.Seed(mimecasttest.SampleData(now))
	msgs, err := demoGatewayMessages()
	if err != nil {
		mc.Close()
		return session.Gateways{}, nil, err
	}
	mc.SeedFromMessages(msgs)
	cred := mc.Credentials()
	secret := func(s string) mimecast.SecretFunc { return func(context.Context) (string, error) { return s, nil } }
	mcClient, err := mimecast.New(mimecast.Options{BaseURL: mc.URL(), Auth: mimecast.AuthHMAC, AppID: cred.AppID,
		AppKey: secret(cred.AppKey), AccessKey: cred.AccessKey, SecretKey: secret(cred.SecretKey)})
	if err != nil {
		mc.Close()
		return session.Gateways{}, nil, err
	}
	fm := fortimailtest.New(fortimailtest.Options{})
	fm.Seed(fortimailtest.DefaultSeed())
	fmClient, err := fortimail.New(fortimail.Options{URL: fm.URL(), Username: fm.Username(),
		Password: func(context.Context) (string, error) { return fm.Password(), nil }})
	if err != nil {
		mc.Close()
		fm.Close()
		return session.Gateways{}, nil, err
	}
	stop := func() {
		_ = fmClient.Logout(context.Background())
		mc.Close()
		fm.Close()
	}
	return session.Gateways{Mimecast: mcClient, FortiMail: fmClient}, stop, nil
}

// demoGatewayMessages describes the demo corpus the way a gateway saw it.
func demoGatewayMessages() ([]mimecasttest.Message, error) {
	corpus, err := demo.Messages()
	if err != nil {
		return nil, err
	}
	var out []mimecasttest.Message
	for _, m := range corpus {
		p := mail.ParseMessage(m.Raw)
		id := headerValue(p.Header, "Message-Id")
		if id == "" {
			continue
		}
		urls, _, _ := analysis.ExtractURLs(analysis.URLInput{Text: p.Text, HTML: p.HTML}, 20)
		msg := mimecasttest.Message{MessageID: id, From: p.From, To: []string{p.To}, Subject: p.Subject, Date: p.Date}
		for _, u := range urls {
			msg.URLs = append(msg.URLs, u.URL)
		}
		out = append(out, msg)
	}
	return out, nil
}

func headerValue(h []mail.HeaderField, name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// withGateways hands the gateway clients to the console, which shows a
// screen for each one configured.
func withGateways(opts ui.Options, g session.Gateways) ui.Options {
	opts.Gateways = g
	return opts
}
