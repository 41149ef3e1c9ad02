package oktatest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// TokenPath is the org authorization server's token endpoint, where service apps trade a signed
// client assertion for an access token.
const TokenPath = "/oauth2/v1/token"

// AccessTokenLifetime is how long an issued access token is accepted; Okta's is one hour.
const AccessTokenLifetime = time.Hour

const jwtBearerAssertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// oauthState is the fake's OAuth 2.0 side: the registered service apps and the tokens issued.
// Guarded by Server.mu.
type oauthState struct {
	apps   map[string]*serviceApp // by client id
	tokens map[string]grant       // by access token
	jtis   map[string]bool        // assertion ids seen, to refuse replays as Okta does
}

type serviceApp struct {
	kid    string
	pub    *rsa.PublicKey
	scopes []string
}

type grant struct {
	clientID string
	scopes   []string
	expires  time.Time
}

// RegisterServiceApp registers an OAuth 2.0 service app: its client id, the public half of its
// key (and the key's kid; empty accepts assertions with any or no kid) and the Okta API scopes
// granted to it. A second call for the same client id replaces the first.
func (s *Server) RegisterServiceApp(clientID, kid string, pub *rsa.PublicKey, scopes []string) {
	if clientID == "" || pub == nil {
		panic("oktatest: RegisterServiceApp: empty client id or nil key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oauth.apps == nil {
		s.oauth.apps = map[string]*serviceApp{}
	}
	s.oauth.apps[clientID] = &serviceApp{kid: kid, pub: pub, scopes: append([]string(nil), scopes...)}
}

// AccessTokens returns how many access tokens the server has issued so far.
func (s *Server) AccessTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.oauth.tokens)
}

// oauthError is RFC 6749's error body, which the token endpoint uses instead of Okta's errorCode.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

type tokenResponse struct {
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
}

// issueToken is the client-credentials grant with a private_key_jwt client assertion. The SDK
// sends the form in the query string with an empty body; ParseForm reads both places.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	if !s.takeRate(w, TokenPath) {
		s.writeError(w, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeJSON(w, http.StatusMethodNotAllowed, oauthError{"invalid_request", "The token endpoint accepts only POST."})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "The request could not be parsed."})
		return
	}
	f := r.Form
	if gt := f.Get("grant_type"); gt != "client_credentials" {
		s.writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", fmt.Sprintf("The grant_type %q is not supported; service apps use client_credentials.", gt)})
		return
	}
	if f.Get("client_assertion_type") != jwtBearerAssertion || f.Get("client_assertion") == "" {
		s.writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "Client authentication failed: a client_assertion of type jwt-bearer is required."})
		return
	}
	clientID, err := s.verifyAssertion(f.Get("client_assertion"), time.Now())
	if err != nil {
		s.writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "The client_assertion is invalid: " + err.Error()})
		return
	}
	scopes := strings.Fields(f.Get("scope"))
	if len(scopes) == 0 {
		s.writeJSON(w, http.StatusBadRequest, oauthError{"invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided."})
		return
	}

	s.mu.Lock()
	app := s.oauth.apps[clientID]
	var denied []string
	for _, sc := range scopes {
		if !slices.Contains(app.scopes, sc) {
			denied = append(denied, sc)
		}
	}
	var token string
	if len(denied) == 0 {
		token = newAccessToken()
		if s.oauth.tokens == nil {
			s.oauth.tokens = map[string]grant{}
		}
		s.oauth.tokens[token] = grant{clientID: clientID, scopes: scopes, expires: time.Now().Add(AccessTokenLifetime)}
	}
	s.mu.Unlock()
	if len(denied) > 0 {
		s.writeJSON(w, http.StatusBadRequest, oauthError{"invalid_scope", "The following scopes are not allowed: " + strings.Join(denied, ", ")})
		return
	}
	s.writeJSON(w, http.StatusOK, tokenResponse{
		TokenType: "Bearer", ExpiresIn: int(AccessTokenLifetime.Seconds()),
		AccessToken: token, Scope: strings.Join(scopes, " "),
	})
}

func newAccessToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "eyfake." + hex.EncodeToString(b[:])
}

// verifyAssertion checks the client assertion as Okta does: RS256 signed by the registered key,
// iss = sub = a registered client id, aud = the token endpoint, not expired, lifetime at most an
// hour, and a jti, if any, never seen before. It returns the client id.
func (s *Server) verifyAssertion(jwt string, now time.Time) (string, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", errors.New("not a compact JWS")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	if hdr.Alg != "RS256" {
		return "", fmt.Errorf("alg %q is not RS256", hdr.Alg)
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp *float64        `json:"exp"`
		Iat *float64        `json:"iat"`
		Jti string          `json:"jti"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return "", fmt.Errorf("claims: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", errors.New("signature is not base64url")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.oauth.apps[claims.Iss]
	switch {
	case !ok:
		return "", fmt.Errorf("no service app with client id %q", claims.Iss)
	case claims.Sub != claims.Iss:
		return "", errors.New("sub must equal iss, the client id")
	case app.kid != "" && hdr.Kid != "" && hdr.Kid != app.kid:
		return "", fmt.Errorf("no key with kid %q is registered for the client", hdr.Kid)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(app.pub, crypto.SHA256, digest[:], sig); err != nil {
		return "", errors.New("the signature does not verify with the registered key")
	}
	if want := s.URL() + TokenPath; !audienceIs(claims.Aud, want) {
		return "", fmt.Errorf("aud must be %s", want)
	}
	if claims.Exp == nil {
		return "", errors.New("exp is missing")
	}
	exp := time.Unix(int64(*claims.Exp), 0)
	if !exp.After(now) {
		return "", errors.New("the assertion has expired")
	}
	if exp.Sub(now) > time.Hour+time.Minute {
		return "", errors.New("exp is more than one hour away")
	}
	if claims.Jti != "" {
		if s.oauth.jtis[claims.Jti] {
			return "", errors.New("the jti has already been used")
		}
		if s.oauth.jtis == nil {
			s.oauth.jtis = map[string]bool{}
		}
		s.oauth.jtis[claims.Jti] = true
	}
	return claims.Iss, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

// audienceIs accepts aud as a string or an array holding want.
func audienceIs(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, want)
}

// requiredScope is the OAuth scope Okta's API demands for a route.
func requiredScope(rt route) string {
	switch rt.kind {
	case routeApp, routeAppUsers, routeAppUser:
		return "okta.apps.read"
	case routeUser, routeUsers, routeUserGroups:
		return "okta.users.read"
	case routeAppUserSchema:
		return "okta.schemas.read"
	case routeGroup, routeGroups, routeGroupUsers:
		return "okta.groups.read"
	case routeLogs:
		return "okta.logs.read"
	}
	return ""
}

// authorize accepts an SSWS token or an access token this server issued, and for the latter
// checks the route's scope. It writes the refusal itself.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, rt route) bool {
	tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !bearer {
		if s.authorized(r) {
			return true
		}
		s.writeError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return false
	}
	s.mu.Lock()
	g, ok := s.oauth.tokens[tok]
	s.mu.Unlock()
	if !ok || !time.Now().Before(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The access token is invalid."`)
		s.writeError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return false
	}
	if need := requiredScope(rt); need != "" && !slices.Contains(g.scopes, need) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", scope="`+need+`"`)
		s.writeError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
		return false
	}
	return true
}
