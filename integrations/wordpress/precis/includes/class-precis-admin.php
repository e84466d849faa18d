<?php
/**
 * Editors' actions: "Summarise with Précis" in the posts list and in the editor, and the notices
 * that report a failure.
 *
 * @package Precis
 */

defined( 'ABSPATH' ) || exit;

/**
 * The row action, the editor's box, their handler and the admin notices.
 */
class Precis_Admin {

	const ACTION = 'precis_summarise';

	/**
	 * Hooks the admin screens.
	 */
	public static function register() {
		add_filter( 'post_row_actions', array( __CLASS__, 'row_action' ), 10, 2 );
		add_action( 'add_meta_boxes_post', array( __CLASS__, 'add_box' ) );
		add_action( 'admin_post_' . self::ACTION, array( __CLASS__, 'handle_summarise' ) );
		add_action( 'admin_notices', array( __CLASS__, 'notices' ) );
	}

	/**
	 * The nonce-protected link that summarises one post.
	 *
	 * @param int $post_id The post.
	 * @return string
	 */
	public static function summarise_url( $post_id ) {
		$url = add_query_arg(
			array(
				'action' => self::ACTION,
				'post'   => (int) $post_id,
			),
			admin_url( 'admin-post.php' )
		);
		return wp_nonce_url( $url, self::ACTION . '_' . (int) $post_id );
	}

	/**
	 * Whether the user may ask Précis by hand: an editor (edit_others_posts) who may edit the post.
	 * Authors' own posts are still summarised on publish; only the manual actions are an editor's.
	 *
	 * @param int $post_id The post.
	 * @return bool
	 */
	public static function may_trigger( $post_id ) {
		return current_user_can( 'edit_others_posts' ) && current_user_can( 'edit_post', $post_id );
	}

	/**
	 * "Summarise with Précis" under each post the user may edit.
	 *
	 * @param array   $actions The row's actions.
	 * @param WP_Post $post    The post.
	 * @return array
	 */
	public static function row_action( $actions, $post ) {
		if ( 'post' === $post->post_type && self::may_trigger( $post->ID ) ) {
			$actions['precis'] = '<a href="' . esc_url( self::summarise_url( $post->ID ) ) . '">Summarise with Précis</a>';
		}
		return $actions;
	}

	/**
	 * The editor's Précis box (shown by the block editor and the classic one alike).
	 *
	 * @param WP_Post $post The post.
	 */
	public static function add_box( $post ) {
		if ( self::may_trigger( $post->ID ) ) {
			add_meta_box( 'precis', 'Précis', array( __CLASS__, 'render_box' ), 'post', 'side' );
		}
	}

	/**
	 * What Précis wrote, its last error and the button.
	 *
	 * @param WP_Post $post The post.
	 */
	public static function render_box( $post ) {
		$error       = (string) get_post_meta( $post->ID, 'precis_error', true );
		$description = (string) get_post_meta( $post->ID, 'precis_seo_description', true );
		if ( '' !== $error ) {
			echo '<p class="precis-error"><strong>Last attempt failed:</strong> ' . esc_html( $error ) . '</p>';
		}
		if ( '' !== $description ) {
			echo '<p><strong>SEO description:</strong> ' . esc_html( $description ) . '</p>';
		}
		if ( 'auto-draft' !== $post->post_status ) {
			echo '<p><a class="button" href="' . esc_url( self::summarise_url( $post->ID ) ) . '">Summarise with Précis</a></p>';
		}
	}

	/**
	 * admin-post.php?action=precis_summarise: nonce, capability, then Précis.
	 */
	public static function handle_summarise() {
		$post_id = isset( $_GET['post'] ) ? absint( $_GET['post'] ) : 0;
		check_admin_referer( self::ACTION . '_' . $post_id );
		if ( ! $post_id || ! self::may_trigger( $post_id ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to summarise this post.', 'precis' ), 403 );
		}
		$result = Precis_Post_Summary::summarise( $post_id, true );
		$back   = wp_get_referer() ? wp_get_referer() : admin_url( 'edit.php' );
		wp_safe_redirect( add_query_arg( 'precis', is_wp_error( $result ) ? 'failed' : 'done', $back ) );
		exit;
	}

	/**
	 * The outcome of the button, and a post's recorded failure on its edit screen.
	 */
	public static function notices() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only chooses which message to show.
		$outcome = isset( $_GET['precis'] ) ? sanitize_key( $_GET['precis'] ) : '';
		if ( 'done' === $outcome ) {
			echo '<div class="notice notice-success is-dismissible"><p>Précis summarised the post.</p></div>';
		}
		$screen = get_current_screen();
		if ( ! $screen || 'post' !== $screen->base || 'post' !== $screen->post_type ) {
			if ( 'failed' === $outcome ) {
				echo '<div class="notice notice-error"><p>Précis could not summarise the post: its edit screen says why; a retry is scheduled.</p></div>';
			}
			return;
		}
		$post  = get_post();
		$error = $post ? (string) get_post_meta( $post->ID, 'precis_error', true ) : '';
		if ( '' === $error || ! current_user_can( 'edit_post', $post->ID ) ) {
			return;
		}
		$next = wp_next_scheduled( Precis_Post_Summary::RETRY_HOOK, array( (int) $post->ID ) );
		$when = $next ? ' A retry is scheduled for ' . wp_date( get_option( 'time_format' ), $next ) . '.' : '';
		echo '<div class="notice notice-error"><p>Précis could not summarise this post: ' . esc_html( $error . $when ) . '</p></div>';
	}
}
