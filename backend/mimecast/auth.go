package mimecast

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"
)

// dateFormat is x-mc-date's layout. time.RFC1123 on a UTC time prints the
// literal "UTC" the API 1.0 examples use; http.TimeFormat would say "GMT"
// and a local zone would say e.g. "CEST", neither of which is documented.
const dateFormat = time.RFC1123

// signHMAC computes the API 1.0 signature: base64(HMAC-SHA1(base64-decoded
// secret key, date:reqID:path:appKey)).
func signHMAC(secretKey, appKey, date, reqID, path string) (string, error) {
	key, err := base64.StdEncoding.DecodeString(secretKey)
	if err != nil {
		// The decoder's message quotes no input, but say only what is
		// wrong: the secret itself must never reach an error.
		return "", fmt.Errorf("secret key is not base64 text")
	}
	mac := hmac.New(sha1.New, key)
	mac.Write([]byte(date + ":" + reqID + ":" + path + ":" + appKey))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// authorize adds the credentials for one attempt at path.
func (c *Client) authorize(ctx context.Context, req *http.Request, path string) error {
	if c.opts.Auth == AuthOAuth2 {
		tok, err := c.tokens.token(ctx)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		return nil
	}
	return c.signRequest(ctx, req, path)
}

func (c *Client) signRequest(ctx context.Context, req *http.Request, path string) error {
	appKey, err := c.opts.AppKey(ctx)
	if err != nil {
		return &AuthError{Path: path, Message: fmt.Sprintf("application key: %v", err)}
	}
	secret, err := c.opts.SecretKey(ctx)
	if err != nil {
		return &AuthError{Path: path, Message: fmt.Sprintf("secret key: %v", err)}
	}
	date := c.opts.Now().UTC().Format(dateFormat)
	reqID := c.opts.RequestID()
	sig, err := signHMAC(secret, appKey, date, reqID, path)
	if err != nil {
		return &AuthError{Path: path, Message: err.Error()}
	}
	req.Header.Set("Authorization", "MC "+c.opts.AccessKey+":"+sig)
	req.Header.Set("x-mc-date", date)
	req.Header.Set("x-mc-req-id", reqID)
	req.Header.Set("x-mc-app-id", c.opts.AppID)
	return nil
}

// newUUID returns a random lower-case UUIDv4, as working clients send for
// x-mc-req-id.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
