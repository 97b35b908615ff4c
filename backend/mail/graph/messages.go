package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// envelopeFields is what a list row needs.
const envelopeFields = "id,parentFolderId,subject,from,toRecipients,ccRecipients,replyTo,sentDateTime,receivedDateTime,internetMessageId,hasAttachments,isRead,isDraft,flag,categories"

// stateFields is the state Store changes and Fetch reports.
const stateFields = "id,parentFolderId,isRead,isDraft,flag,categories,receivedDateTime"

type emailAddress struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

type recipient struct {
	EmailAddress emailAddress `json:"emailAddress"`
}

type followupFlag struct {
	FlagStatus string `json:"flagStatus"`
}

// message is the subset of Graph's message resource the console reads.
type message struct {
	ID                string        `json:"id"`
	ETag              string        `json:"@odata.etag,omitempty"`
	ParentFolderID    string        `json:"parentFolderId,omitempty"`
	Subject           string        `json:"subject,omitempty"`
	From              *recipient    `json:"from,omitempty"`
	ToRecipients      []recipient   `json:"toRecipients,omitempty"`
	CcRecipients      []recipient   `json:"ccRecipients,omitempty"`
	ReplyTo           []recipient   `json:"replyTo,omitempty"`
	SentDateTime      time.Time     `json:"sentDateTime"`
	ReceivedDateTime  time.Time     `json:"receivedDateTime"`
	InternetMessageID string        `json:"internetMessageId,omitempty"`
	HasAttachments    bool          `json:"hasAttachments,omitempty"`
	IsRead            bool          `json:"isRead"`
	IsDraft           bool          `json:"isDraft,omitempty"`
	Flag              *followupFlag `json:"flag,omitempty"`
	Categories        []string      `json:"categories"`
	Removed           *struct {
		Reason string `json:"reason"`
	} `json:"@removed,omitempty"`
}

func (msg *message) flagged() bool { return msg.Flag != nil && msg.Flag.FlagStatus == "flagged" }

// flags maps Graph state to IMAP-style flags; categories become keywords
// encoded as the console stores them, so tag and untag round-trip.
func (msg *message) flags() mail.Flags {
	f := mail.Flags{Seen: msg.IsRead, Flagged: msg.flagged(), Draft: msg.IsDraft}
	for _, c := range msg.Categories {
		kw, err := mail.EncodeKeyword(c)
		if err != nil {
			kw = c
		}
		f.Keywords = append(f.Keywords, kw)
	}
	return f
}

func addresses(rs []recipient) []mail.Address {
	out := make([]mail.Address, 0, len(rs))
	for _, r := range rs {
		out = append(out, mail.Address{Name: r.EmailAddress.Name, Addr: r.EmailAddress.Address})
	}
	return out
}

func (msg *message) envelope(uid mail.UID) mail.Envelope {
	e := mail.Envelope{
		UID:       uid,
		Date:      msg.SentDateTime,
		Received:  msg.ReceivedDateTime,
		To:        addresses(msg.ToRecipients),
		Cc:        addresses(msg.CcRecipients),
		ReplyTo:   addresses(msg.ReplyTo),
		Subject:   msg.Subject,
		MessageID: trimID(msg.InternetMessageID),
		Flags:     msg.flags(),
	}
	if msg.From != nil {
		e.From = addresses([]recipient{*msg.From})
	}
	if msg.HasAttachments {
		e.Attachments = 1 // Graph says whether, not how many
	}
	return e
}

func trimID(id string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
}

func msgPath(id string) string { return "/messages/" + url.PathEscape(id) }

// List brings the folder's UID map up to date with a delta round (the
// first one reads every id; later ones, in this process or a later one,
// only what changed), reads the folder's unread count meanwhile, and
// fetches the envelopes of the newest prefetch.
func (m *Mailbox) List(ctx context.Context, folder string, prefetch int) (mail.Listing, error) {
	id, err := m.folderID(ctx, folder)
	if err != nil {
		return mail.Listing{}, err
	}
	counts := make(chan mailFolder, 1)
	go func() {
		var f mailFolder
		if m.getJSON(ctx, "/mailFolders/"+url.PathEscape(id)+"?$select=unreadItemCount", &f) != nil {
			f.UnreadItemCount = 0 // the count is a nicety; the listing stands without it
		}
		counts <- f
	}()
	if _, err := m.sync(ctx, id); err != nil {
		<-counts
		return mail.Listing{}, fmt.Errorf("open folder %q: %w", folder, err)
	}
	m.mu.Lock()
	f := m.state(id)
	l := mail.Listing{Folder: mail.FolderRef{Name: folder, UIDValidity: f.validity}, UIDs: f.uids(), CanStoreKeywords: true}
	m.mu.Unlock()
	l.Unseen = (<-counts).UnreadItemCount
	if prefetch > 0 && len(l.UIDs) > 0 {
		newest := l.UIDs[max(0, len(l.UIDs)-prefetch):]
		if l.Newest, err = m.Envelopes(ctx, l.Folder, newest); err != nil {
			return l, err
		}
	}
	return l, nil
}

// getMany GETs the given messages with $select in $batch requests. Messages
// gone, or no longer in folder id, are absent from the result.
func (m *Mailbox) getMany(ctx context.Context, l lookup, uids []mail.UID, fields string) (map[mail.UID]*message, error) {
	var calls []call
	var asked []mail.UID
	for _, u := range uids {
		if gid, ok := l.ids[u]; ok {
			calls = append(calls, call{method: http.MethodGet, path: msgPath(gid) + "?$select=" + fields})
			asked = append(asked, u)
		}
	}
	res, err := m.batch(ctx, calls)
	if err != nil {
		return nil, err
	}
	out := make(map[mail.UID]*message, len(asked))
	for i, r := range res {
		if r.err != nil {
			if IsNotFound(r.err) {
				continue
			}
			return out, r.err
		}
		msg := &message{}
		if err := decode(r.body, msg); err != nil {
			return out, err
		}
		if msg.ParentFolderID != "" && msg.ParentFolderID != l.id {
			continue // moved elsewhere by another client
		}
		out[asked[i]] = msg
	}
	return out, nil
}

// Envelopes fetches list rows in $batch requests, ascending by UID.
func (m *Mailbox) Envelopes(ctx context.Context, folder mail.FolderRef, uids []mail.UID) ([]mail.Envelope, error) {
	l, err := m.resolveRef(ctx, folder, uids)
	if err != nil {
		return nil, err
	}
	msgs, err := m.getMany(ctx, l, uids, envelopeFields)
	if err != nil {
		return nil, fmt.Errorf("read %d messages in %q: %w", len(uids), folder.Name, err)
	}
	out := make([]mail.Envelope, 0, len(msgs))
	for u, msg := range msgs {
		out = append(out, msg.envelope(u))
	}
	slices.SortFunc(out, func(a, b mail.Envelope) int { return int(a.UID) - int(b.UID) })
	return out, nil
}

// SetSeen patches isRead on every message, in $batch requests.
func (m *Mailbox) SetSeen(ctx context.Context, folder mail.FolderRef, uids []mail.UID, seen bool) error {
	l, err := m.resolveForChange(ctx, folder, uids)
	if err != nil {
		return err
	}
	var calls []call
	for _, u := range uids {
		if gid, ok := l.ids[u]; ok {
			calls = append(calls, call{method: http.MethodPatch, path: msgPath(gid), body: map[string]any{"isRead": seen}})
		}
	}
	res, err := m.batch(ctx, calls)
	if err == nil {
		err = firstError(res)
	}
	if err != nil {
		return fmt.Errorf("mark %d messages in %q: %w", len(uids), folder.Name, err)
	}
	return nil
}

// firstError is the first failure other than a vanished message.
func firstError(res []result) error {
	for _, r := range res {
		if r.err != nil && !IsNotFound(r.err) {
			return r.err
		}
	}
	return nil
}

// MessageIDs reads internetMessageId of each message.
func (m *Mailbox) MessageIDs(ctx context.Context, folder mail.FolderRef, uids []mail.UID) (map[mail.UID]string, error) {
	out := map[mail.UID]string{}
	l, err := m.resolveRef(ctx, folder, uids)
	if err != nil {
		return out, err
	}
	msgs, err := m.getMany(ctx, l, uids, "id,parentFolderId,internetMessageId")
	if err != nil {
		return out, fmt.Errorf("read Message-IDs in %q: %w", folder.Name, err)
	}
	for u, msg := range msgs {
		if id := trimID(msg.InternetMessageID); id != "" {
			out[u] = id
		}
	}
	return out, nil
}

// Append creates the message from its MIME (POST /messages with base64
// text, which lands in Drafts), sets its flags and moves it to folder.
// Graph cannot set the arrival date, so date is not kept; messages created
// from MIME stay drafts (isDraft) in Exchange.
func (m *Mailbox) Append(ctx context.Context, folder string, raw []byte, flags mail.Flags, _ time.Time) (mail.UID, error) {
	dest, err := m.folderID(ctx, folder)
	if err != nil {
		return 0, err
	}
	body, _, err := m.do(ctx, request{method: http.MethodPost, path: "/messages", body: []byte(base64.StdEncoding.EncodeToString(raw)), contentType: "text/plain"})
	if err != nil {
		return 0, fmt.Errorf("save a copy in %q: %w", folder, err)
	}
	var created message
	if err := decode(body, &created); err != nil {
		return 0, err
	}
	patch := map[string]any{"isRead": flags.Seen}
	if flags.Flagged {
		patch["flag"] = followupFlag{FlagStatus: "flagged"}
	}
	if len(flags.Keywords) > 0 {
		cats := make([]string, len(flags.Keywords))
		for i, k := range flags.Keywords {
			cats[i] = mail.DecodeKeyword(k)
		}
		patch["categories"] = cats
	}
	var moved message
	err = m.sendJSON(ctx, http.MethodPatch, msgPath(created.ID), patch, nil)
	if err == nil {
		err = m.sendJSON(ctx, http.MethodPost, msgPath(created.ID)+"/move", map[string]string{"destinationId": dest}, &moved)
	}
	if err != nil {
		// Leave no stray draft behind.
		_, _, _ = m.do(context.WithoutCancel(ctx), request{method: http.MethodDelete, path: msgPath(created.ID)})
		return 0, fmt.Errorf("save a copy in %q: %w", folder, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.state(dest)
	var u mail.UID
	err = f.update(func() error { u = f.add(moved.ID); return nil })
	return u, err
}
