<?php
/**
 * Deleting the plugin removes its settings (the key and the secret with them) and its job list.
 * The posts keep what Précis wrote: it is their content now.
 *
 * @package Precis
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'precis_settings' );
delete_option( 'precis_jobs' );
wp_unschedule_hook( 'precis_retry' );
