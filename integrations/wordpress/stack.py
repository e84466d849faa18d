"""`make wordpress`: a real WordPress on loopback with the Précis plugin active, for a person to
try and for tests/wordpress.

    python -m integrations.wordpress.stack [--port 8088] [--folder .wordpress]

Debian's packages (wordpress, wordpress-theme-twentytwentythree, php-cli, php-mysql,
mariadb-server; the Makefile installs them when missing) give the parts: a private copy of
/usr/share/wordpress with its own wp-config.php, a private MariaDB on a Unix socket only (no
TCP port at all), and PHP's built-in server on 127.0.0.1. The site is installed when its
folder has none, the plugin is linked in and pointed at PRECIS_URL (with PRECIS_API_KEY and
WEBHOOK_SECRET, Précis's own setting), and an administrator's application password is written
to FOLDER/credentials.json ({"url", "user", "application_password"}). Ctrl-C or SIGTERM stops
it all."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import requests

from service.config import REPO_ROOT
from service.jobs.stack import die_with_parent, free_port

PLUGIN = Path(__file__).resolve().parent / "precis"
WORDPRESS = Path("/usr/share/wordpress")
THEME = "twentytwentythree"
PACKAGES = "wordpress wordpress-theme-twentytwentythree php-cli php-mysql mariadb-server"
ADMIN = "admin"
# A socket path longer than this does not fit sockaddr_un (108 bytes with its terminator).
_SOCKET_PATH_MAX = 100

# Every PHP script the launcher runs starts here: WordPress loaded as for a request to the site.
_PRELUDE = """<?php
$precis_input = json_decode(stream_get_contents(STDIN), true);
$_SERVER['HTTP_HOST'] = $precis_input['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
define('WP_USE_THEMES', false);
if ($precis_input['installing']) { define('WP_INSTALLING', true); }  // before WordPress loads
require $precis_input['root'] . '/wp-load.php';
"""


class MissingPackages(RuntimeError):
    pass


def missing_parts() -> list[str]:
    """What this machine lacks to run WordPress (empty: nothing)."""
    missing = [name for name in ("php", "mariadbd", "mariadb-install-db", "mariadb") if _which(name) is None]
    if not (WORDPRESS / "wp-content" / "themes" / THEME).is_dir():
        missing.append(f"/usr/share/wordpress with the {THEME} theme")
    return missing


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")


def _stop(process: subprocess.Popen[bytes] | None, timeout: float = 30.0) -> None:
    """SIGTERM to the process's group (it leads one: PHP's server forks its workers into it),
    SIGKILL to the group if it outlasts the timeout."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class WordPressSite:
    """One WordPress with its database and PHP server, all under `folder`."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder.resolve()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.site = self.folder / "site"
        self.database = self.folder / "db"
        self.socket = self._socket_path()
        self.mariadb: subprocess.Popen[bytes] | None = None
        self.php_server: subprocess.Popen[bytes] | None = None
        self.credentials: dict[str, str] = {}

    def _socket_path(self) -> Path:
        path = self.folder / "mysql.sock"
        if len(str(path)) <= _SOCKET_PATH_MAX:
            return path
        return Path(tempfile.mkdtemp(prefix="precis-wp-")) / "mysql.sock"

    # ---- the parts ---------------------------------------------------------------------------

    def start(
        self, precis_url: str, api_key: str = "", webhook_secret: str = "", timeout: float = 120.0
    ) -> WordPressSite:
        if missing := missing_parts():
            raise MissingPackages(f"missing {', '.join(missing)}: apt-get install {PACKAGES}")
        self._refuse_if_taken()
        self.folder.mkdir(parents=True, exist_ok=True)
        state = self._state()
        try:
            self._copy_site()
            self._start_mariadb(state, timeout)
            self._write_config(state, precis_url)
            self._start_php(timeout)
            self._install(state)
            self.credentials = self.configure_plugin(precis_url, api_key, webhook_secret)
        except BaseException:
            self.stop()
            raise
        path = self.folder / "credentials.json"
        path.write_text(json.dumps(self.credentials, indent=2) + "\n")
        path.chmod(0o600)
        return self

    def _refuse_if_taken(self) -> None:
        """Another launcher on this port or this folder (one still stopping, say) would share its
        database files or lose the port: say so instead."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError(f"127.0.0.1:{self.port} is in use: choose another port (WP_PORT)")
        pid_file = self.folder / "mariadb.pid"
        if (
            pid_file.is_file()
            and pid_file.read_text().strip().isdigit()
            and psutil.pid_exists(int(pid_file.read_text()))
        ):
            raise RuntimeError(f"a MariaDB still runs on {self.database} (pid {pid_file.read_text().strip()})")

    def stop(self) -> None:
        _stop(self.php_server)
        _stop(self.mariadb, timeout=60)
        for log in ("_php_log", "_db_log"):
            with contextlib.suppress(AttributeError):
                getattr(self, log).close()

    def _state(self) -> dict[str, str]:
        """Generated once per folder: the database password, the admin's and WordPress's salts."""
        path = self.folder / "state.json"
        if path.is_file():
            return dict(json.loads(path.read_text()))
        state = {"db_password": secrets.token_urlsafe(18), "admin_password": secrets.token_urlsafe(18)}
        state.update({f"salt_{i}": secrets.token_urlsafe(48) for i in range(8)})
        path.write_text(json.dumps(state))
        path.chmod(0o600)
        return state

    def _copy_site(self) -> None:
        if not (self.site / "wp-load.php").is_file():
            shutil.copytree(WORDPRESS, self.site, symlinks=True)
            # Debian's wp-config.php reads /etc/wordpress; this site writes its own.
            (self.site / "wp-config.php").unlink()
        link = self.site / "wp-content" / "plugins" / "precis"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(PLUGIN, target_is_directory=True)

    def _start_mariadb(self, state: dict[str, str], timeout: float) -> None:
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        if not (self.database / "mysql").is_dir():
            subprocess.run(
                [
                    _which("mariadb-install-db") or "mariadb-install-db",
                    "--no-defaults",
                    f"--datadir={self.database}",
                    "--auth-root-authentication-method=socket",
                    "--skip-test-db",
                    *as_root,
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        self._db_log = (self.folder / "mariadb.log").open("ab")
        self.mariadb = subprocess.Popen(
            [
                _which("mariadbd") or "mariadbd",
                "--no-defaults",
                f"--datadir={self.database}",
                f"--socket={self.socket}",
                "--skip-networking",
                f"--pid-file={self.folder / 'mariadb.pid'}",
                *as_root,
            ],
            stdout=self._db_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while self.sql("SELECT 1").returncode != 0:
            if self.mariadb.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"MariaDB did not start:\n{(self.folder / 'mariadb.log').read_text()[-3000:]}")
            time.sleep(0.2)
        password = state["db_password"]
        script = (
            "CREATE DATABASE IF NOT EXISTS wordpress;"
            f"CREATE USER IF NOT EXISTS 'wordpress'@'localhost' IDENTIFIED BY '{password}';"
            "GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';"
        )
        result = self.sql(script)
        if result.returncode != 0:
            raise RuntimeError(f"MariaDB refused the setup: {result.stderr}")

    def sql(self, script: str) -> subprocess.CompletedProcess[str]:
        """Runs SQL as the database's administrator (this OS user, over the socket)."""
        return subprocess.run(
            [
                _which("mariadb") or "mariadb",
                "--no-defaults",
                f"--socket={self.socket}",
                "-u",
                getpass.getuser(),
                "-e",
                script,
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )

    def _write_config(self, state: dict[str, str], precis_url: str) -> None:
        names = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY"]
        names += ["AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]
        constants = {
            "DB_NAME": "wordpress",
            "DB_USER": "wordpress",
            "DB_PASSWORD": state["db_password"],
            "DB_HOST": f"localhost:{self.socket}",
            "DB_CHARSET": "utf8mb4",
            "DB_COLLATE": "",
            "WP_HOME": self.url,
            "WP_SITEURL": self.url,
            # Application passwords over plain http need a local environment.
            "WP_ENVIRONMENT_TYPE": "local",
            "WP_DEBUG": True,
            "WP_DEBUG_LOG": str(self.folder / "debug.log"),
            "WP_DEBUG_DISPLAY": False,
            "FS_METHOD": "direct",
            "AUTOMATIC_UPDATER_DISABLED": True,
            # No traffic off the machine (update checks, feeds): only this site and Précis's host.
            "WP_HTTP_BLOCK_EXTERNAL": True,
            "WP_ACCESSIBLE_HOSTS": urlsplit(precis_url).hostname or "127.0.0.1",
            **{name: state[f"salt_{i}"] for i, name in enumerate(names)},
        }
        lines = ["<?php", "// Written by integrations/wordpress/stack.py on every start."]
        lines += [f"define({_php(name)}, {_php(value)});" for name, value in constants.items()]
        lines += ["$table_prefix = 'wp_';", "if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }"]
        lines += ["require_once ABSPATH . 'wp-settings.php';"]
        (self.site / "wp-config.php").write_text("\n".join(lines) + "\n")

    def _start_php(self, timeout: float) -> None:
        self._php_log = (self.folder / "php.log").open("ab")
        self.php_server = subprocess.Popen(
            [
                "php",
                "-d",
                "display_errors=0",
                "-d",
                "log_errors=1",
                "-d",
                "memory_limit=256M",
                "-S",
                f"127.0.0.1:{self.port}",
                "-t",
                str(self.site),
            ],
            # Several workers: a callback or WP-Cron's loopback request must not wait for the page that sent it.
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
            stdout=self._php_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                requests.get(f"{self.url}/readme.html", timeout=5)
                return
            except requests.RequestException:
                if self.php_server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"php -S did not start:\n{(self.folder / 'php.log').read_text()[-3000:]}"
                    ) from None
                time.sleep(0.2)

    def _install(self, state: dict[str, str]) -> None:
        """WordPress's own installer (wp_install, as install.php runs it), when not installed yet."""
        self.php(
            """require ABSPATH . 'wp-admin/includes/upgrade.php';
            if (!is_blog_installed()) {
                wp_install('Précis newsroom', $precis_input['user'], 'admin@example.invalid', false, '',
                           $precis_input['password']);
            }
            echo json_encode(true);""",
            installing=True,
            user=ADMIN,
            password=state["admin_password"],
        )

    def configure_plugin(self, precis_url: str, api_key: str, webhook_secret: str, **settings: Any) -> dict[str, str]:
        """The theme, plain permalinks, the plugin active and pointed at Précis; a fresh
        application password for the admin (earlier ones of this launcher are revoked)."""
        return dict(
            self.php(
                """require_once ABSPATH . 'wp-admin/includes/plugin.php';
                switch_theme('twentytwentythree');
                update_option('permalink_structure', '');
                $active = activate_plugin('precis/precis.php');
                if (is_wp_error($active)) { fwrite(STDERR, $active->get_error_message()); exit(1); }
                update_option('precis_settings', array_merge(Precis_Settings::get(), $precis_input['settings']));
                $user = get_user_by('login', $precis_input['user']);
                foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
                    if ($item['name'] === 'precis-stack') {
                        WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
                    }
                }
                [$password] = WP_Application_Passwords::create_new_application_password(
                    $user->ID, array('name' => 'precis-stack'));
                echo json_encode(array('url' => home_url('/'), 'user' => $user->user_login,
                                       'application_password' => $password));""",
                user=ADMIN,
                # A secret not given keeps the one set on the settings page (the folder is kept between runs).
                settings={
                    "url": precis_url,
                    **({"api_key": api_key} if api_key else {}),
                    **({"webhook_secret": webhook_secret} if webhook_secret else {}),
                    **settings,
                },
            )
        )

    def update_settings(self, **settings: Any) -> None:
        """Changes some of the plugin's settings (precis_settings), as its settings page would."""
        self.php(
            "update_option('precis_settings', array_merge(Precis_Settings::get(), $precis_input['settings']));"
            "echo json_encode(true);",
            settings=settings,
        )

    def php(self, code: str, *, installing: bool = False, **data: Any) -> Any:
        """Runs PHP inside this WordPress (wp-load.php loaded; `$precis_input` holds `data`) and
        returns what it echoes, decoded from JSON."""
        with tempfile.NamedTemporaryFile("w", suffix=".php", dir=self.folder, delete=False) as script:
            script.write(_PRELUDE + code + "\n")
        try:
            payload = json.dumps(
                {**data, "installing": installing, "host": f"127.0.0.1:{self.port}", "root": str(self.site)}
            )
            result = subprocess.run(
                ["php", "-d", "display_errors=stderr", script.name],
                input=payload,
                capture_output=True,
                text=True,
                timeout=120,
                cwd=self.site,
            )
        finally:
            Path(script.name).unlink()
        if result.returncode != 0:
            raise RuntimeError(f"PHP failed ({result.returncode}): {result.stderr[-3000:]}{result.stdout[-2000:]}")
        return json.loads(result.stdout)

    def alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self.mariadb, self.php_server))


def _php(value: object) -> str:
    """A PHP literal of a string or a boolean."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrations.wordpress.stack", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("WP_PORT", "8088")))
    parser.add_argument("--folder", type=Path, default=REPO_ROOT / ".wordpress")
    args = parser.parse_args(argv)
    precis_url = os.environ.get("PRECIS_URL", "http://127.0.0.1:8000")
    site = WordPressSite(args.folder, args.port)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        site.start(precis_url, os.environ.get("PRECIS_API_KEY", ""), os.environ.get("WEBHOOK_SECRET", ""))
        state = json.loads((site.folder / "state.json").read_text())
        print(f"WordPress: {site.url}/wp-admin/ (user {ADMIN}, password {state['admin_password']})", flush=True)
        print(f"The plugin sends posts to {precis_url}: {site.url}/wp-admin/options-general.php?page=precis")
        print(f"An application password: {site.folder / 'credentials.json'}. Ctrl-C stops it all.", flush=True)
        while site.alive():
            time.sleep(0.5)
        print("WordPress's PHP server or MariaDB stopped; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except (MissingPackages, RuntimeError) as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        site.stop()
        print("WordPress stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
