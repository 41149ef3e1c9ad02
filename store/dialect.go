package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// The queries are written once, in the SQL both SQLite and PostgreSQL speak (upserts with
// ON CONFLICT ... excluded, lower(), LIMIT, RETURNING), with ? placeholders. pool and txn hand them
// to database/sql, numbering the placeholders ($1, $2, ...) for PostgreSQL. What differs beyond
// that is kept beside the backend: migrations (migrate.go), how writers are serialized (inTx), and
// how a dead process is told (presence.go).

// pool is the database handle of a Store.
type pool struct {
	*sql.DB
	numbered bool // PostgreSQL: $n placeholders
}

func (p *pool) q(query string) string {
	if p.numbered {
		return numberPlaceholders(query)
	}
	return query
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.DB.ExecContext(ctx, p.q(query), args...)
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, p.q(query), args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.DB.QueryRowContext(ctx, p.q(query), args...)
}

func (p *pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*txn, error) {
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, numbered: p.numbered}, nil
}

// txn is a transaction of a pool.
type txn struct {
	*sql.Tx
	numbered bool
}

func (t *txn) q(query string) string {
	if t.numbered {
		return numberPlaceholders(query)
	}
	return query
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.q(query), args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.q(query), args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.q(query), args...)
}

func (t *txn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.q(query))
}

// queryer is what reads need, in a transaction or not.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// numberPlaceholders turns each ? outside a quoted literal or identifier into $1, $2, ...
func numberPlaceholders(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte // the quote character we are inside, or 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
