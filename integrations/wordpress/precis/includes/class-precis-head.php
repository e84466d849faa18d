<?php
/**
 * The page's <meta name="description">, unless an SEO plugin prints its own.
 *
 * @package Precis
 */

defined( 'ABSPATH' ) || exit;

/**
 * Prints the SEO description in a single post's <head>.
 */
class Precis_Head {

	/**
	 * Hooks wp_head.
	 */
	public static function register() {
		add_action( 'wp_head', array( __CLASS__, 'print_description' ), 1 );
	}

	/**
	 * Whether Yoast SEO, Rank Math, All in One SEO or SEOPress is active (each prints a description).
	 *
	 * @return bool
	 */
	public static function seo_plugin_active() {
		$active = defined( 'WPSEO_VERSION' ) || defined( 'RANK_MATH_VERSION' ) || class_exists( 'RankMath' )
			|| defined( 'AIOSEO_VERSION' ) || function_exists( 'aioseo' )
			|| defined( 'SEOPRESS_VERSION' ) || function_exists( 'seopress_init' );
		return (bool) apply_filters( 'precis_seo_plugin_active', $active );
	}

	/**
	 * The meta tag, on a single post that has an SEO description.
	 */
	public static function print_description() {
		if ( ! is_singular( 'post' ) || ! Precis_Settings::fills( 'seo_description' ) || self::seo_plugin_active() ) {
			return;
		}
		$description = (string) get_post_meta( get_queried_object_id(), 'precis_seo_description', true );
		if ( '' !== $description ) {
			echo '<meta name="description" content="' . esc_attr( $description ) . '" />' . "\n";
		}
	}
}
