<?php
/**
 * Plugin Name:       Précis
 * Description:       Fills a post's summary, key points, SEO description, social post and excerpt from a Précis server when it is published or updated.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Précis
 * License:           GPL-2.0-or-later
 * Text Domain:       precis
 *
 * @package Precis
 */

defined( 'ABSPATH' ) || exit;

define( 'PRECIS_PLUGIN_FILE', __FILE__ );

require_once __DIR__ . '/includes/class-precis-signature.php';
require_once __DIR__ . '/includes/class-precis-settings.php';
require_once __DIR__ . '/includes/class-precis-client.php';
require_once __DIR__ . '/includes/class-precis-post-summary.php';
require_once __DIR__ . '/includes/class-precis-publishing.php';
require_once __DIR__ . '/includes/class-precis-head.php';
require_once __DIR__ . '/includes/class-precis-admin.php';
require_once __DIR__ . '/includes/class-precis-backfill.php';

Precis_Settings::register();
Precis_Post_Summary::register();
Precis_Publishing::register();
Precis_Head::register();
Precis_Admin::register();
Precis_Backfill::register();
