<?php
/**
 * On publish and on every update of a published post: summarise it.
 *
 * @package Precis
 */

defined( 'ABSPATH' ) || exit;

/**
 * The publish hook.
 */
class Precis_Publishing {

	/**
	 * Hooks wp_after_insert_post: it fires once the post, its terms and its meta are saved
	 * (also for the REST API and the block editor), so the post is published whatever Précis does.
	 */
	public static function register() {
		add_action( 'wp_after_insert_post', array( __CLASS__, 'on_save' ), 20, 2 );
	}

	/**
	 * Summarises a published post saved by someone allowed to edit it.
	 *
	 * @param int     $post_id The post.
	 * @param WP_Post $post    The post.
	 */
	public static function on_save( $post_id, $post ) {
		if ( ! Precis_Settings::get()['on_publish'] ) {
			return;
		}
		if ( 'post' !== $post->post_type || 'publish' !== $post->post_status || wp_is_post_revision( $post_id ) || wp_is_post_autosave( $post_id ) ) {
			return;
		}
		if ( ! wp_doing_cron() && ! current_user_can( 'edit_post', $post_id ) ) {
			return;
		}
		Precis_Post_Summary::summarise( $post_id );
	}
}
