<?php
/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/), as Précis signs its job
 * callbacks. Plain PHP without WordPress, so that it can be checked on its own.
 *
 * @package Precis
 */

/**
 * Verifies a webhook's `webhook-signature` header.
 */
class Precis_Signature {

	/**
	 * How far a webhook's timestamp may be from now, in seconds (replays are refused past it).
	 */
	const TOLERANCE = 300;

	/**
	 * Whether the body was signed with this secret.
	 *
	 * @param string $secret    The shared secret, `whsec_` followed by base64.
	 * @param string $id        The `webhook-id` header.
	 * @param string $timestamp The `webhook-timestamp` header (Unix seconds).
	 * @param string $signature The `webhook-signature` header: space-separated `v1,<base64>` values.
	 * @param string $body      The raw request body, exactly as received.
	 * @param int    $now       The current Unix time.
	 * @return bool
	 */
	public static function verify( $secret, $id, $timestamp, $signature, $body, $now ) {
		$key = self::key( $secret );
		if ( '' === $key || '' === $id || ! preg_match( '/^\d{1,12}$/', $timestamp ) ) {
			return false;
		}
		if ( abs( $now - (int) $timestamp ) > self::TOLERANCE ) {
			return false;
		}
		$expected = base64_encode( hash_hmac( 'sha256', $id . '.' . $timestamp . '.' . $body, $key, true ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- the scheme's encoding.
		foreach ( preg_split( '/\s+/', trim( $signature ) ) as $candidate ) {
			$parts = explode( ',', $candidate, 2 );
			// Every v1 signature is compared in constant time: a key rotation sends several.
			if ( 2 === count( $parts ) && 'v1' === $parts[0] && hash_equals( $expected, $parts[1] ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The HMAC key: the base64 after `whsec_`, decoded; '' when the secret is not one.
	 *
	 * @param string $secret The shared secret.
	 * @return string
	 */
	public static function key( $secret ) {
		$secret = trim( (string) $secret );
		if ( 0 === strpos( $secret, 'whsec_' ) ) {
			$secret = substr( $secret, 6 );
		}
		// Unpadded base64 is accepted too, as the standardwebhooks libraries accept it.
		$secret = str_pad( $secret, (int) ( ceil( strlen( $secret ) / 4 ) * 4 ), '=' );
		$key    = base64_decode( $secret, true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode -- the scheme's encoding.
		return false === $key ? '' : $key;
	}
}
