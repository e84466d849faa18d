<?php
/**
 * A post's Précis fields: what is asked, what is written (meta and excerpt), and failures
 * (kept in precis_error, retried by WP-Cron).
 *
 * @package Precis
 */

defined( 'ABSPATH' ) || exit;

/**
 * Writes Précis's answers to a post.
 */
class Precis_Post_Summary {

	/**
	 * A purpose => the meta key its answer's `summary` goes to.
	 */
	const META = array(
		'summary'         => 'precis_summary',
		'key_points'      => 'precis_key_points',
		'seo_description' => 'precis_seo_description',
		'social'          => 'precis_social',
	);

	const RETRY_HOOK   = 'precis_retry';
	const MAX_ATTEMPTS = 5;

	/**
	 * Registers the meta (readable and editable in the REST API's edit context only) and the retry.
	 */
	public static function register() {
		add_action( 'init', array( __CLASS__, 'register_meta' ) );
		add_action( self::RETRY_HOOK, array( __CLASS__, 'retry' ) );
	}

	/**
	 * The post meta the plugin writes.
	 */
	public static function register_meta() {
		$keys = array_merge( array_values( self::META ), array( 'precis_model', 'precis_error' ) );
		foreach ( $keys as $key ) {
			register_post_meta(
				'post',
				$key,
				array(
					'type'          => 'string',
					'single'        => true,
					'show_in_rest'  => array( 'schema' => array( 'context' => array( 'edit' ) ) ),
					'auth_callback' => static function ( $allowed, $meta_key, $post_id ) {
						return current_user_can( 'edit_post', $post_id );
					},
				)
			);
		}
	}

	/**
	 * The purposes the settings ask for (the excerpt needs the summary).
	 *
	 * @return string[]
	 */
	public static function purposes() {
		$purposes = array();
		foreach ( array_keys( self::META ) as $purpose ) {
			if ( Precis_Settings::fills( $purpose ) || ( 'summary' === $purpose && Precis_Settings::fills( 'excerpt' ) ) ) {
				$purposes[] = $purpose;
			}
		}
		return $purposes;
	}

	/**
	 * The HTML sent for a post: its stored content with its blocks rendered, or, for a classic
	 * post (paragraphs as blank lines), with its paragraphs marked up as WordPress displays them.
	 * Shortcodes are left out: their output is not the article.
	 *
	 * @param WP_Post $post The post.
	 * @return string
	 */
	public static function html( $post ) {
		$content = strip_shortcodes( $post->post_content );
		$html    = has_blocks( $content ) ? do_blocks( $content ) : wpautop( $content );
		return (string) apply_filters( 'precis_post_html', $html, $post );
	}

	/**
	 * A hash of what a summary is made from: an update that changes neither is not sent again.
	 *
	 * @param WP_Post $post The post.
	 * @return string
	 */
	public static function source_hash( $post ) {
		return hash( 'sha256', wp_json_encode( array( $post->post_title, self::html( $post ), self::purposes() ) ) );
	}

	/**
	 * Asks Précis for every purpose and writes the answers, or records the failure and schedules
	 * a retry. Never throws: publishing must not depend on Précis.
	 *
	 * @param int  $post_id The post.
	 * @param bool $force   Ask even when title and content are unchanged since the last summary.
	 * @return true|WP_Error
	 */
	public static function summarise( $post_id, $force = false ) {
		$post = get_post( $post_id );
		if ( ! $post || 'post' !== $post->post_type ) {
			return new WP_Error( 'precis_no_post', 'No such post.' );
		}
		if ( '' === trim( wp_strip_all_tags( $post->post_content ) ) || array() === self::purposes() ) {
			return true;  // Nothing to summarise, or nothing to fill.
		}
		if ( ! $force && get_post_meta( $post_id, 'precis_source_hash', true ) === self::source_hash( $post ) ) {
			return true;
		}
		$answers = array();
		try {
			foreach ( self::purposes() as $purpose ) {
				$answer = Precis_Client::summarize( self::html( $post ), $post->post_title, $purpose );
				if ( is_wp_error( $answer ) ) {
					self::fail( $post_id, $answer->get_error_message() );
					return $answer;
				}
				$answers[ $purpose ] = $answer;
			}
		} catch ( Throwable $error ) {
			self::fail( $post_id, 'The Précis plugin failed: ' . $error->getMessage() );
			return new WP_Error( 'precis_failed', $error->getMessage() );
		}
		self::write( $post_id, $answers );
		return true;
	}

	/**
	 * Writes the answers (purpose => Précis's answer) to the post's meta and, where allowed, its excerpt.
	 *
	 * @param int   $post_id The post.
	 * @param array $answers Précis's answers by purpose.
	 */
	public static function write( $post_id, $answers ) {
		$post = get_post( $post_id );
		if ( ! $post ) {
			return;
		}
		foreach ( self::META as $purpose => $key ) {
			if ( isset( $answers[ $purpose ]['summary'] ) && Precis_Settings::fills( $purpose ) ) {
				update_post_meta( $post_id, $key, wp_slash( (string) $answers[ $purpose ]['summary'] ) );
			}
		}
		$first = reset( $answers );
		if ( is_array( $first ) && isset( $first['model'] ) ) {
			update_post_meta( $post_id, 'precis_model', wp_slash( wp_json_encode( $first['model'] ) ) );
		}
		if ( isset( $answers['summary']['summary'] ) && Precis_Settings::fills( 'excerpt' ) ) {
			self::write_excerpt( $post, (string) $answers['summary']['summary'] );
		}
		update_post_meta( $post_id, 'precis_source_hash', self::source_hash( get_post( $post_id ) ) );
		self::clear_failure( $post_id );
	}

	/**
	 * Fills the excerpt when it is empty or still the one Précis wrote; an editor's own stays.
	 * The summary is plain text: it is escaped into the excerpt's HTML. Only the excerpt column is
	 * written (no wp_update_post()): a callback or WP-Cron runs without a user, and re-saving the
	 * whole post there would put its content through kses.
	 *
	 * @param WP_Post $post    The post.
	 * @param string  $summary The summary.
	 */
	private static function write_excerpt( $post, $summary ) {
		global $wpdb;
		$ours = get_post_meta( $post->ID, 'precis_excerpt_hash', true );
		if ( '' !== $post->post_excerpt && hash( 'sha256', $post->post_excerpt ) !== $ours ) {
			return;
		}
		$excerpt = htmlspecialchars( $summary, ENT_NOQUOTES, 'UTF-8', false );
		$wpdb->update( $wpdb->posts, array( 'post_excerpt' => $excerpt ), array( 'ID' => $post->ID ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- one column, then the cache is cleaned.
		clean_post_cache( $post->ID );
		update_post_meta( $post->ID, 'precis_excerpt_hash', hash( 'sha256', $excerpt ) );
	}

	/**
	 * Keeps the error and schedules a retry (with a growing delay, at most MAX_ATTEMPTS times).
	 *
	 * @param int    $post_id The post.
	 * @param string $message What went wrong.
	 */
	public static function fail( $post_id, $message ) {
		update_post_meta( $post_id, 'precis_error', wp_slash( $message ) );
		$attempts = (int) get_post_meta( $post_id, 'precis_attempts', true ) + 1;
		update_post_meta( $post_id, 'precis_attempts', $attempts );
		if ( $attempts <= self::MAX_ATTEMPTS && ! wp_next_scheduled( self::RETRY_HOOK, array( (int) $post_id ) ) ) {
			wp_schedule_single_event( time() + 5 * MINUTE_IN_SECONDS * ( 2 ** ( $attempts - 1 ) ), self::RETRY_HOOK, array( (int) $post_id ) );
		}
	}

	/**
	 * Forgets a past failure and its retry.
	 *
	 * @param int $post_id The post.
	 */
	private static function clear_failure( $post_id ) {
		delete_post_meta( $post_id, 'precis_error' );
		delete_post_meta( $post_id, 'precis_attempts' );
		wp_clear_scheduled_hook( self::RETRY_HOOK, array( (int) $post_id ) );
	}

	/**
	 * WP-Cron's retry of a failed post (published posts only).
	 *
	 * @param int $post_id The post.
	 */
	public static function retry( $post_id ) {
		if ( 'publish' === get_post_status( $post_id ) ) {
			self::summarise( (int) $post_id, true );
		}
	}
}
