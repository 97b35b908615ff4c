// Package fortimail is a client for the FortiMail REST API (/api/v1): the
// operations of the FortiSOAR FortiMail connector (domains, antispam and
// session profiles, recipient policies, greylists, session safe and block
// lists) plus the system and domain sender block/safe lists an analyst needs
// during triage.
//
// A Client logs in lazily with AdminLogin and keeps the APSCOOKIE session in
// a cookie jar. FortiMail 7.4 caps concurrent REST sessions, so one session
// is shared by every call and renewed once when the appliance says it
// expired; concurrent calls that meet an expired session wait for a single
// new login instead of each starting their own.
//
// Collections are read whole: the client follows nextPage with startIndex
// and pageSize and checks what it read against totalRemoteCount, so a list
// that ends short is an *IncompleteError (ErrIncomplete), never a short
// list that looks complete.
//
// Objects are typed structs whose fields carry the wire names. Fields this
// package does not model are kept verbatim in Extra, because firmware
// versions differ in what they return and an edit must never drop them.
// Edits are sent as partial PUTs: Diff lists what changed (the console shows
// it before sending) and the Update methods send exactly that.
//
// Package fortimailtest provides an in-process emulator of the same wire API.
package fortimail
