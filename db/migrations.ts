import type { Database } from 'better-sqlite3';
import { registerHostKey } from './image-rows.js';

export interface Migration {
  /** The `PRAGMA user_version` the db has after this step. */
  version: number;
  description: string;
  up: (db: Database) => void;
}

/**
 * Ordered schema steps. Never edit a step that has shipped: append a new one.
 * Each runs in its own transaction together with its `user_version` bump.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'queries, pages, pairs, images, meta',
    up: (db) => {
      db.exec(`
        CREATE TABLE queries (
          id          INTEGER PRIMARY KEY,
          text        TEXT    NOT NULL UNIQUE,
          origin      TEXT    NOT NULL CHECK (origin IN ('unigram', 'bigram', 'title', 'wordnet', 'user')),
          pair_count  INTEGER NOT NULL DEFAULT 0,
          state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
          cursor      TEXT,
          error       TEXT,
          updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX queries_state ON queries (state);
        CREATE INDEX queries_origin ON queries (origin);

        CREATE TABLE pages (
          id           INTEGER PRIMARY KEY,
          url          TEXT    NOT NULL UNIQUE,
          host         TEXT    NOT NULL,
          depth        INTEGER NOT NULL DEFAULT 0,
          state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
          http_status  INTEGER,
          error        TEXT,
          attempts     INTEGER NOT NULL DEFAULT 0,
          next_try_at  TEXT,
          fetched_at   TEXT
        );
        CREATE INDEX pages_state ON pages (state, next_try_at);
        CREATE INDEX pages_host ON pages (host);

        CREATE TABLE pairs (
          id           INTEGER PRIMARY KEY,
          image_url    TEXT    NOT NULL,
          text         TEXT    NOT NULL,
          text_origin  TEXT    NOT NULL CHECK (text_origin IN ('alt', 'figcaption', 'title', 'api')),
          page_url     TEXT,
          query_id     INTEGER NOT NULL REFERENCES queries (id),
          created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          UNIQUE (image_url, text)
        );
        CREATE INDEX pairs_query ON pairs (query_id);

        CREATE TABLE images (
          id           INTEGER PRIMARY KEY,
          url          TEXT    NOT NULL UNIQUE,
          host         TEXT    NOT NULL,
          state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ok', 'failed')),
          http_status  INTEGER,
          error        TEXT,
          attempts     INTEGER NOT NULL DEFAULT 0,
          next_try_at  TEXT,
          sha256       TEXT,
          phash        TEXT,
          width        INTEGER,
          height       INTEGER,
          format       TEXT,
          bytes        INTEGER,
          path         TEXT,
          fetched_at   TEXT
        );
        CREATE INDEX images_state ON images (state, error);
        CREATE INDEX images_sha256 ON images (sha256);
        CREATE INDEX images_host ON images (host);

        CREATE TABLE meta (
          key    TEXT PRIMARY KEY,
          value  TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: 'curation decisions and the robots.txt cache',
    up: (db) => {
      db.exec(`
        CREATE TABLE curation (
          pair_id   INTEGER PRIMARY KEY REFERENCES pairs (id),
          decision  TEXT NOT NULL CHECK (decision IN ('train', 'val', 'drop')),
          reason    TEXT,
          shard     TEXT,
          key       TEXT
        );
        CREATE INDEX curation_decision ON curation (decision, reason);

        CREATE TABLE robots (
          host        TEXT PRIMARY KEY,
          http_status INTEGER,
          body        TEXT,
          fetched_at  TEXT NOT NULL,
          expires_at  TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 3,
    description: 'the crawl frontier index: pending pages, shallowest first',
    up: (db) => {
      db.exec('CREATE INDEX pages_frontier ON pages (state, depth, id)');
    },
  },
  {
    version: 4,
    description: 'file sources (web archives, URL+caption lists): per-file resume state; pairs from lists',
    up: (db) => {
      // SQLite cannot alter a CHECK or a NOT NULL: pairs is rebuilt with the same ids,
      // so curation's references to pairs(id) hold again once it is renamed back.
      db.exec(`
        CREATE TABLE pairs_v4 (
          id           INTEGER PRIMARY KEY,
          image_url    TEXT    NOT NULL,
          text         TEXT    NOT NULL,
          text_origin  TEXT    NOT NULL CHECK (text_origin IN ('alt', 'figcaption', 'title', 'api', 'list')),
          page_url     TEXT,
          query_id     INTEGER REFERENCES queries (id),
          extra        TEXT,
          created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          UNIQUE (image_url, text)
        );
        INSERT INTO pairs_v4 (id, image_url, text, text_origin, page_url, query_id, created_at)
          SELECT id, image_url, text, text_origin, page_url, query_id, created_at FROM pairs;
        DROP TABLE pairs;
        ALTER TABLE pairs_v4 RENAME TO pairs;
        CREATE INDEX pairs_query ON pairs (query_id);

        CREATE TABLE source_files (
          id          INTEGER PRIMARY KEY,
          kind        TEXT    NOT NULL CHECK (kind IN ('warc', 'list')),
          location    TEXT    NOT NULL UNIQUE,
          state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
          position    INTEGER NOT NULL DEFAULT 0,
          records     INTEGER NOT NULL DEFAULT 0,
          pairs       INTEGER NOT NULL DEFAULT 0,
          error       TEXT,
          updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX source_files_state ON source_files (kind, state);
      `);
    },
  },
  {
    version: 5,
    description: 'images.host is the host key of pages.host: the port kept when it is not the default',
    up: (db) => {
      registerHostKey(db);
      db.exec(`UPDATE images SET host = wit_url_host(url) WHERE host <> wit_url_host(url)`);
    },
  },
];

export const latestVersion: number = migrations[migrations.length - 1]?.version ?? 0;
