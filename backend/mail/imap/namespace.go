package imap

import (
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// namespace is the server's personal namespace as NAMESPACE reports it.
// Folder names are shown, typed and configured without its prefix
// ("Phishing reports" for Courier's and Cyrus's "INBOX.Phishing reports"),
// and the full name is accepted too. The zero value (no prefix) changes
// nothing, which is right for Dovecot's default and for servers without
// NAMESPACE.
type namespace struct {
	prefix string   // "INBOX." on Cyrus and Courier, "" on Dovecot
	delim  rune     // '.' or '/'
	others []string // prefixes of the other users' and shared namespaces
}

// queryNamespace asks the server; a server without NAMESPACE (or one that
// refuses it) has no prefix as far as the console is concerned.
func queryNamespace(c *imapclient.Client) namespace {
	if !c.Caps().Has(imap.CapNamespace) {
		return namespace{}
	}
	data, err := c.Namespace().Wait()
	if err != nil || data == nil || len(data.Personal) == 0 {
		return namespace{}
	}
	ns := namespace{prefix: data.Personal[0].Prefix, delim: data.Personal[0].Delim}
	for _, d := range append(data.Other, data.Shared...) {
		if d.Prefix != "" {
			ns.others = append(ns.others, d.Prefix)
		}
	}
	return ns
}

// wire is the server's name for a folder the analyst named: the personal
// prefix is added unless the name is INBOX, already has it, or lies in
// another namespace.
func (ns namespace) wire(name string) string {
	if ns.prefix == "" || name == "" || strings.EqualFold(name, "INBOX") || hasPrefixFold(name, ns.prefix) {
		return name
	}
	for _, p := range ns.others {
		if strings.HasPrefix(name, p) {
			return name
		}
	}
	return ns.prefix + name
}

// shown is the name the analyst sees for a server's folder name: without
// the personal prefix, unless what is left would be empty or read as INBOX.
func (ns namespace) shown(full string) string {
	if ns.prefix == "" || !hasPrefixFold(full, ns.prefix) {
		return full
	}
	rest := full[len(ns.prefix):]
	if rest == "" || strings.EqualFold(rest, "INBOX") {
		return full
	}
	return rest
}

// hasPrefixFold compares the prefix case-insensitively: INBOX is
// case-insensitive, so "inbox.Junk" is under "INBOX.".
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func (m *Mailbox) namespace() namespace {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ns
}

// learnNamespace asks c for the namespace once per Mailbox.
func (m *Mailbox) learnNamespace(c *imapclient.Client) {
	m.mu.Lock()
	known := m.nsKnown
	m.mu.Unlock()
	if known {
		return
	}
	ns := queryNamespace(c)
	m.mu.Lock()
	m.ns, m.nsKnown = ns, true
	m.mu.Unlock()
}

// wire and shown translate with the namespace learnt at the first login.
func (m *Mailbox) wire(name string) string  { return m.namespace().wire(name) }
func (m *Mailbox) shown(full string) string { return m.namespace().shown(full) }

// CanonicalName is how the console names the folder the analyst typed as
// name, with or without the personal namespace's prefix: "INBOX.Junk" and
// "Junk" are both "Junk" on a server whose prefix is "INBOX.". It knows
// the prefix once the Mailbox has logged in (e.g. after Folders).
func (m *Mailbox) CanonicalName(name string) string {
	return m.shown(m.wire(name))
}
